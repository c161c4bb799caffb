//! The chart: each framework's requests per second relative to its bare route, per scenario
//! and library.

use std::path::Path;

use plotters::prelude::*;

use super::Results;
use crate::serve::BoxError;
use crate::target::{Library, Scenario, Server};

const SCENARIOS: [Scenario; 4] = [
    Scenario::Counter,
    Scenario::ReadOnly,
    Scenario::NewSession,
    Scenario::Untouched,
];

const PANEL_HEIGHT: u32 = 300;

pub(super) fn draw(results: &Results, path: &Path) -> Result<(), BoxError> {
    let frameworks = results.frameworks();
    let height = PANEL_HEIGHT * u32::try_from(frameworks.len().max(1))?;
    let root = SVGBackend::new(path, (960, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let panels = root.split_evenly((frameworks.len().max(1), 1));
    for (panel, &framework) in panels.iter().zip(&frameworks) {
        let libraries: Vec<Library> = framework
            .libraries()
            .iter()
            .copied()
            .filter(|&library| library != Library::Bare)
            .collect();
        let top = SCENARIOS
            .iter()
            .flat_map(|&scenario| {
                libraries.iter().filter_map(move |&library| {
                    results.ratio_to_bare(Server { framework, library }, scenario)
                })
            })
            .fold(1.0_f64, f64::max)
            * 1.6; // room for the legend above the bars
        let mut chart = ChartBuilder::on(panel)
            .caption(
                format!(
                    "{}: requests per second relative to the bare route",
                    framework.name()
                ),
                ("sans-serif", 16),
            )
            .margin(8)
            .x_label_area_size(24)
            .y_label_area_size(44)
            .build_cartesian_2d(0.0..SCENARIOS.len() as f64, 0.0..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(SCENARIOS.len() * 2 + 1)
            .x_label_formatter(&|x| {
                let slot = (x - 0.5).round();
                if (x - 0.5 - slot).abs() < 0.01 && slot >= 0.0 {
                    SCENARIOS
                        .get(slot as usize)
                        .map(|s| format!("({}) {}", s.label(), s.title()))
                        .unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc("× bare")
            .draw()?;
        let width = 0.8 / libraries.len() as f64;
        for (index, &library) in libraries.iter().enumerate() {
            let color = Palette99::pick(index).to_rgba();
            let bars = SCENARIOS
                .iter()
                .enumerate()
                .filter_map(|(slot, &scenario)| {
                    let ratio = results.ratio_to_bare(Server { framework, library }, scenario)?;
                    let left = slot as f64 + 0.1 + index as f64 * width;
                    Some(Rectangle::new(
                        [(left, 0.0), (left + width * 0.9, ratio)],
                        color.filled(),
                    ))
                });
            chart
                .draw_series(bars)?
                .label(library.name())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

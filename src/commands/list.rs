//! `list`: apps, the flights of an app, or add-ons (every page).

use serde_json::Value;

use super::Connection;
use crate::api::Client;
use crate::config::{ListConfig, ListKind};
use crate::error::Result;
use crate::escape::inert_single_line;
use crate::products::{addon_apps, flights_of, list_all, require_app};
use crate::report::Reporter;

pub(crate) async fn run(list: &ListConfig, reporter: &Reporter) -> Result<()> {
    let connection = Connection::open(&list.session, None).await?;
    list_items(list, &connection.client, reporter).await
}

/// `list`: a table in the log (and on stdout in a terminal), all items under `items` with
/// `--output json`.
async fn list_items(config: &ListConfig, client: &Client, reporter: &Reporter) -> Result<()> {
    let (items, columns): (Vec<Value>, &[(&str, &str)]) = match &config.what {
        ListKind::Apps => (
            list_all(client, "applications")
                .await
                .map_err(|e| e.into_error("listing apps"))?,
            &[
                ("id", "/id"),
                ("name", "/primaryName"),
                ("package identity", "/packageIdentityName"),
                ("pending", "/pendingApplicationSubmission/id"),
                ("last published", "/lastPublishedApplicationSubmission/id"),
            ],
        ),
        ListKind::Flights { app_id } => (
            flights_of(client, app_id).await?,
            &[
                ("flight id", "/flightId"),
                ("name", "/friendlyName"),
                ("groups", "/groupIds"),
                ("ranks above", "/rankHigherThan"),
                ("pending", "/pendingFlightSubmission/id"),
                ("last published", "/lastPublishedFlightSubmission/id"),
            ],
        ),
        ListKind::Addons { app_id } => {
            // A wrong app id is an input error, not an empty list (docs/exit-codes.md).
            if let Some(app) = app_id {
                require_app(client, app).await?;
            }
            let all = list_all(client, "inappproducts")
                .await
                .map_err(|e| e.into_error("listing add-ons"))?;
            let items = match app_id {
                Some(app) => all
                    .into_iter()
                    .filter(|a| addon_apps(a).iter().any(|x| x == app))
                    .collect(),
                None => all,
            };
            (
                items,
                &[
                    ("id", "/id"),
                    ("product id", "/productId"),
                    ("type", "/productType"),
                    ("apps", "/applications/value"),
                    ("pending", "/pendingInAppProductSubmission/id"),
                    ("last published", "/lastPublishedInAppProductSubmission/id"),
                ],
            )
        }
    };
    let table = render_table(&items, columns);
    tracing::info!("{} item(s)", items.len());
    reporter.table(&table);
    reporter.add_result("items", Value::Array(items));
    Ok(())
}

fn cell(value: Option<&Value>) -> String {
    let text = match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                Value::Object(o) => o
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(","),
        Some(other) => other.to_string(),
    };
    inert_single_line(&text)
}

/// A plain-text table, columns padded to their widest cell.
pub(crate) fn render_table(items: &[Value], columns: &[(&str, &str)]) -> Vec<String> {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|item| {
            columns
                .iter()
                .map(|(_, ptr)| cell(item.pointer(ptr)))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, (title, _))| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([title.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut lines = vec![line(columns.iter().map(|(t, _)| t.to_string()).collect())];
    lines.extend(rows.into_iter().map(line));
    lines
}

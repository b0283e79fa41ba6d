//! The ids that name a product: app Store ID, flight id or name, add-on id or product id, a
//! submission id.

use super::*;

impl Check<'_> {
    pub(super) fn guid_required(&mut self, name: &str, what: &str) -> Option<String> {
        let Some(text) = self.inputs.value(name) else {
            self.problem(name, format!("is required: {what}"));
            return None;
        };
        let text = text.trim();
        if is_guid(text) {
            Some(text.to_string())
        } else {
            self.problem(name, format!("`{text}` is not a GUID ({what})"));
            None
        }
    }

    /// The product of `submit` and `status`: an app, one of its flights, or an add-on.
    pub(super) fn product(&mut self) -> Option<ProductSpec> {
        let flight = self.flight_spec(false);
        let addon = self.addon_spec(false);
        if flight.is_some() && addon.is_some() {
            self.problem(
                "flight-id",
                "a submission is for a flight or for an add-on, not both: give `flight-id`/`flight-name` or `addon-id`/`addon-product-id`",
            );
            return None;
        }
        if let Some(addon) = addon {
            let app_id = match &addon {
                AddonSpec::ProductId(_) => self.app_id_optional(),
                AddonSpec::Id(_) => {
                    if self.inputs.is_given("app-id") {
                        self.warnings
                            .push("`app-id` ignored: `addon-id` names the add-on by itself".into());
                    }
                    None
                }
            };
            return Some(ProductSpec::Addon { addon, app_id });
        }
        let app_id = self.app_id_required()?;
        Some(match flight {
            Some(flight) => ProductSpec::Flight { app_id, flight },
            None => ProductSpec::App { app_id },
        })
    }

    pub(super) fn app_id_required(&mut self) -> Option<String> {
        if !self.inputs.is_given("app-id") {
            self.problem(
                "app-id",
                "is required: the app's 12-character Store ID (Partner Center → Product identity), e.g. 9NBLGGH4R315",
            );
            return None;
        }
        self.app_id_optional()
    }

    pub(super) fn app_id_optional(&mut self) -> Option<String> {
        self.store_id(
            "app-id",
            "9NBLGGH4R315",
            "the Store ID from Partner Center → Product identity",
        )
    }

    /// A 12-character Store ID (apps and add-ons have one), upper case.
    pub(super) fn store_id(
        &mut self,
        input: &str,
        example: &str,
        hint_where: &str,
    ) -> Option<String> {
        let text = self.inputs.value(input)?.trim().to_string();
        if text.len() == 12 && text.chars().all(|c| c.is_ascii_alphanumeric()) {
            if text.chars().any(|c| c.is_ascii_lowercase()) {
                self.problem(
                    input,
                    format!(
                        "`{text}` must be upper case: `{}`",
                        text.to_ascii_uppercase()
                    ),
                );
                return None;
            }
            return Some(text);
        }
        let hint = if crate::config::msi::is_product_id(&text) {
            " — a GUID is the Partner Center ID of an MSI/EXE product, which takes `submit` and `status` only (docs/msi-exe.md)".to_string()
        } else if text.contains('.') || text.contains('_') {
            format!(" — this looks like a package or product name; `{input}` is {hint_where}")
        } else {
            String::new()
        };
        self.problem(
            input,
            format!("`{text}` is not a 12-character Store ID like {example}{hint}"),
        );
        None
    }

    /// `flight-id` (a GUID) or `flight-name`; `required` makes one of them mandatory.
    pub(super) fn flight_spec(&mut self, required: bool) -> Option<FlightSpec> {
        match (
            self.inputs.value("flight-id"),
            self.inputs.value("flight-name"),
        ) {
            (Some(_), Some(_)) => {
                self.problem(
                    "flight-id",
                    "give either `flight-id` or `flight-name`, not both",
                );
                None
            }
            (Some(id), None) => {
                let id = id.trim().to_ascii_lowercase();
                if is_guid(&id) {
                    Some(FlightSpec::Id(id))
                } else {
                    self.problem(
                        "flight-id",
                        format!("`{id}` is not a flight id (a GUID such as 7bfc11d5-f710-47c5-8a98-e04bb5aad310); to name the flight, use `flight-name`"),
                    );
                    None
                }
            }
            (None, Some(name)) => Some(FlightSpec::Name(name.trim().to_string())),
            (None, None) => {
                if required {
                    self.problem(
                        "flight-id",
                        "is required: give `flight-id` (the flight's GUID) or `flight-name` (its friendly name)",
                    );
                }
                None
            }
        }
    }

    /// `addon-id` (its Store ID) or `addon-product-id`.
    pub(super) fn addon_spec(&mut self, required: bool) -> Option<AddonSpec> {
        match (
            self.inputs.value("addon-id"),
            self.inputs.value("addon-product-id"),
        ) {
            (Some(_), Some(_)) => {
                self.problem(
                    "addon-id",
                    "give either `addon-id` or `addon-product-id`, not both",
                );
                None
            }
            (Some(_), None) => self
                .store_id("addon-id", "9NBLGGH4TNMP", "the add-on's Store ID")
                .map(AddonSpec::Id),
            (None, Some(product_id)) => Some(AddonSpec::ProductId(product_id.trim().to_string())),
            (None, None) => {
                if required {
                    self.problem(
                        "addon-id",
                        "is required: give `addon-id` (the add-on's Store ID) or `addon-product-id` (the product id you chose)",
                    );
                }
                None
            }
        }
    }

    pub(super) fn submission_id(&mut self) -> Option<String> {
        let text = self.inputs.value("submission-id")?.trim();
        if !text.is_empty() && text.len() <= 20 && text.chars().all(|c| c.is_ascii_digit()) {
            Some(text.to_string())
        } else {
            self.problem(
                "submission-id",
                format!(
                    "`{text}` is not a submission id (a string of digits like 1152921504621243540)"
                ),
            );
            None
        }
    }
}

pub(super) fn is_guid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, len)| p.len() == len && p.chars().all(|c| c.is_ascii_hexdigit()))
}

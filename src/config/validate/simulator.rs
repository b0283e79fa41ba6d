//! The built-in simulator's inputs: `simulator` command, `simulate` and its settings
//! (docs/simulator.md).

use super::*;

impl Check<'_> {
    pub(super) fn simulator(&mut self) -> Option<SimulatorConfig> {
        let listen = match self.inputs.value("listen") {
            None => SocketAddr::from(([127, 0, 0, 1], 0)),
            Some(text) => match text.parse::<SocketAddr>() {
                Ok(addr) => addr,
                Err(_) => {
                    self.problem(
                        "listen",
                        format!("`{text}` is not an address like 127.0.0.1:8080"),
                    );
                    return None;
                }
            },
        };
        let phase = self.duration("simulator-phase", DEFAULT_SIM_PHASE);
        let token_lifetime = self.token_lifetime();
        let upload_url_lifetime = self.upload_url_lifetime();
        let names_a_product = catalog::product_names().any(|i| self.inputs.is_given(i));
        let products = if self.is_msi_product() {
            // An MSI/EXE product, owned by the simulator's seller (docs/simulator.md).
            let app_id = self.inputs.value("app-id")?.trim().to_ascii_lowercase();
            vec![ProductSpec::App { app_id }]
        } else if names_a_product {
            vec![self.product()?]
        } else {
            Vec::new()
        };
        Some(SimulatorConfig {
            listen,
            settings: SimulatorSettings {
                phase,
                storage: self.simulator_storage(),
                token_lifetime,
                upload_url_lifetime,
            },
            products,
        })
    }

    // ----- groups of inputs -----

    pub(super) fn token_lifetime(&mut self) -> Duration {
        let lifetime = self.duration("simulator-token-lifetime", DEFAULT_SIM_TOKEN_LIFETIME);
        if lifetime < Duration::from_secs(1) {
            self.problem(
                "simulator-token-lifetime",
                "must be at least 1s (the simulator's tokens have whole seconds of life)",
            );
        }
        lifetime
    }

    pub(super) fn upload_url_lifetime(&mut self) -> Duration {
        let lifetime = self.duration(
            "simulator-upload-url-lifetime",
            DEFAULT_SIM_UPLOAD_URL_LIFETIME,
        );
        if lifetime < Duration::from_secs(1) {
            self.problem(
                "simulator-upload-url-lifetime",
                "must be at least 1s (an upload URL's expiry has whole seconds)",
            );
        }
        lifetime
    }

    /// `simulator-storage`: a connection string. Its text is never repeated (it holds the
    /// account key).
    pub(super) fn simulator_storage(&mut self) -> Option<StorageAccount> {
        let text = self.inputs.value("simulator-storage")?;
        match StorageAccount::from_connection_string(text) {
            Ok(account) => Some(account),
            Err(problem) => {
                self.problem(
                    "simulator-storage",
                    format!("{problem}; give an Azure Storage connection string, e.g. Azurite's `UseDevelopmentStorage=true`"),
                );
                None
            }
        }
    }
}

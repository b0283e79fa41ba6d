//! The Store's listing limits, for the lint. Text limits: "Create app Store listings"
//! (https://learn.microsoft.com/windows/apps/publish/publish-your-app/msix/add-and-edit-store-listing-info)
//! and "Add additional information" (…/msix/add-additional-information); images: "App
//! screenshots, images, and trailers" (…/msix/screenshots-and-images); add-ons: …/add-on/add-and-edit-store-listing-info.
//! The simulator enforces the same limits on PUT (src/simulator/validate.rs): they are
//! vocabulary of the Store, kept once here in `config`.

pub const DESCRIPTION: usize = 10_000;
pub const RELEASE_NOTES: usize = 1_500;
pub const SHORT_DESCRIPTION: usize = 1_000;
/// UNKNOWN: the Store's own limit on `title` (a reserved name, 256 characters at most); the
/// simulator takes 256 too.
pub const TITLE: usize = 256;
pub const SHORT_TITLE: usize = 50;
pub const SORT_TITLE: usize = 255;
pub const VOICE_TITLE: usize = 255;
pub const DEV_STUDIO: usize = 255;
pub const COPYRIGHT: usize = 200;
pub const LICENSE_TERMS: usize = 10_000;
/// (items, characters per item)
pub const FEATURES: (usize, usize) = (20, 200);
pub const KEYWORDS: (usize, usize) = (7, 40);
pub const KEYWORD_WORDS: usize = 21;
/// An MSI/EXE listing's `searchTerms` (≤ 7 × 30) and `contactInfo` (≤ 200),
/// https://learn.microsoft.com/windows/apps/publish/store-submission-api.
pub const MSI_SEARCH_TERMS: (usize, usize) = (7, 30);
pub const MSI_CONTACT_INFO: usize = 200;
pub const HARDWARE: (usize, usize) = (11, 200);
pub const CAPTION: usize = 200;
pub const TRAILERS: usize = 15;
pub const TRAILER_TITLE: usize = 255;
pub const ADDON_TITLE: usize = 100;
pub const ADDON_DESCRIPTION: usize = 200;
/// "PNG … 50 MB or smaller".
pub const IMAGE_BYTES: usize = 50 * 1024 * 1024;

/// The `imageType` values of the API (https://learn.microsoft.com/windows/uwp/monetize/manage-app-submissions#image-object).
pub const IMAGE_TYPES: &[&str] = &[
    "Screenshot",
    "MobileScreenshot",
    "XboxScreenshot",
    "SurfaceHubScreenshot",
    "HoloLensScreenshot",
    "StoreLogo9x16",
    "StoreLogoSquare",
    "Icon",
    "PromotionalArt16x9",
    "PromotionalArtwork2400X1200",
    "XboxBrandedKeyArt",
    "XboxTitledHeroArt",
    "XboxFeaturedPromotionalArt",
    "SquareIcon358X358",
    "BackgroundImage1000X800",
    "PromotionalArtwork414X180",
    "PromotionalArtwork846X468",
    "PromotionalArtwork558X756",
    "PromotionalArtwork414X468",
    "PromotionalArtwork558X558",
    "WideIcon358X173",
    "Unknown",
];

/// The pixel sizes an image type takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sizes {
    /// Any size.
    Any,
    /// One of these exactly.
    Exactly(&'static [(u32, u32)]),
    /// Landscape, at least the first and at most the second.
    Between((u32, u32), (u32, u32)),
}

#[derive(Debug, Clone, Copy)]
pub struct ImageRule {
    pub max_count: usize,
    pub sizes: Sizes,
    /// Shown with a caption (`description`).
    pub captioned: bool,
}

impl ImageRule {
    pub const ADDON_ICON: ImageRule = ImageRule {
        max_count: 1,
        sizes: Sizes::Exactly(&[(300, 300)]),
        captioned: false,
    };
    pub const TRAILER_THUMBNAIL: ImageRule = ImageRule {
        max_count: 1,
        sizes: Sizes::Exactly(&[(1920, 1080)]),
        captioned: true,
    };

    pub fn of(image_type: &str) -> ImageRule {
        let (max_count, sizes) = match image_type {
            "Screenshot" => (10, Sizes::Between((1366, 768), (3840, 2160))),
            // The doc writes "3480 x 2160", a typo for 4K.
            "XboxScreenshot" => (8, Sizes::Between((1920, 1080), (3840, 2160))),
            "HoloLensScreenshot" => (8, Sizes::Between((1268, 720), (3840, 2160))),
            "MobileScreenshot" | "SurfaceHubScreenshot" => (8, Sizes::Any),
            "StoreLogo9x16" => (1, Sizes::Exactly(&[(720, 1080), (1440, 2160)])),
            "StoreLogoSquare" => (1, Sizes::Exactly(&[(1080, 1080), (2160, 2160)])),
            "Icon" => (1, Sizes::Exactly(&[(300, 300)])),
            "PromotionalArt16x9" => (1, Sizes::Exactly(&[(1920, 1080), (3840, 2160)])),
            "PromotionalArtwork2400X1200" => (1, Sizes::Exactly(&[(2400, 1200)])),
            "XboxBrandedKeyArt" => (1, Sizes::Exactly(&[(584, 800)])),
            "XboxTitledHeroArt" => (1, Sizes::Exactly(&[(1920, 1080)])),
            "XboxFeaturedPromotionalArt" => (1, Sizes::Exactly(&[(1080, 1080)])),
            "SquareIcon358X358" => (1, Sizes::Exactly(&[(358, 358)])),
            "BackgroundImage1000X800" => (1, Sizes::Exactly(&[(1000, 800)])),
            "Unknown" => (usize::MAX, Sizes::Any),
            // Legacy promotional types: one each; sizes from their names are not documented.
            _ => (1, Sizes::Any),
        };
        ImageRule {
            max_count,
            sizes,
            captioned: image_type.ends_with("Screenshot"),
        }
    }

    /// What is wrong with these bytes for this rule.
    pub fn check(&self, bytes: &[u8]) -> Vec<String> {
        let mut problems = Vec::new();
        if bytes.len() > IMAGE_BYTES {
            problems.push(format!(
                "{} bytes; listing images may have at most 50 MB",
                bytes.len()
            ));
        }
        let Some((w, h)) = png_size(bytes) else {
            problems.push("is not a PNG image (the Store takes PNG only)".into());
            return problems;
        };
        let ok = match self.sizes {
            Sizes::Any => true,
            Sizes::Exactly(sizes) => sizes.contains(&(w, h)),
            Sizes::Between((min_w, min_h), (max_w, max_h)) => {
                (min_w..=max_w).contains(&w) && (min_h..=max_h).contains(&h)
            }
        };
        if !ok {
            let wanted = match self.sizes {
                Sizes::Any => String::new(),
                Sizes::Exactly(sizes) => sizes
                    .iter()
                    .map(|(w, h)| format!("{w}×{h}"))
                    .collect::<Vec<_>>()
                    .join(" or "),
                Sizes::Between((a, b), (c, d)) => format!("from {a}×{b} to {c}×{d}"),
            };
            problems.push(format!("{w}×{h} pixels; this image must be {wanted}"));
        }
        problems
    }
}

/// Width and height from a PNG's IHDR chunk (https://www.w3.org/TR/png/#11IHDR).
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.len() < 24 || &bytes[..8] != SIGNATURE || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
    Some((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend(w.to_be_bytes());
        b.extend(h.to_be_bytes());
        b.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    #[test]
    fn sizes_per_type() {
        assert!(
            ImageRule::of("Screenshot")
                .check(&png(1920, 1080))
                .is_empty()
        );
        assert!(!ImageRule::of("Screenshot").check(&png(800, 600)).is_empty());
        assert!(ImageRule::ADDON_ICON.check(&png(300, 300)).is_empty());
        let p = ImageRule::ADDON_ICON.check(&png(256, 256));
        assert_eq!(p, ["256×256 pixels; this image must be 300×300"]);
        assert_eq!(
            ImageRule::of("Icon").check(b"GIF89a"),
            ["is not a PNG image (the Store takes PNG only)"]
        );
    }
}

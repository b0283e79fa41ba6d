//! Listings as code (docs/listings.md): `pull` → edit → `submit --listings-dir` round trips
//! against the simulator, the image rules (kept, new, reordered, recaptioned, removed), an
//! unchanged live image never uploaded again, languages kept and pruned, add-on icons, and
//! the lint.

use serde_json::Value;

use crate::util::{APP_ID, Run, Simulator, Workspace, png, submit, zip_entries};

const ADDON_ID: &str = "9NBLGGH4TNMP";

fn pull(sim: &Simulator, ws: &Workspace, product: &[&str], dir: &str) -> crate::util::Outcome {
    Run::against(ws, sim)
        .args(["pull", "--listings-dir", dir])
        .args(product)
        .run()
}

fn read(ws: &Workspace, rel: &str) -> String {
    std::fs::read_to_string(ws.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A PNG of that size whose bytes differ by `variant` (after IEND, which readers ignore).
fn image(width: u32, height: u32, variant: &str) -> Vec<u8> {
    let mut bytes = png(width, height);
    bytes.extend(variant.as_bytes());
    bytes
}

/// Submits the folder and waits until it is live.
fn push(sim: &Simulator, ws: &Workspace, extra: &[&str]) -> crate::util::Outcome {
    let mut args = vec![
        "--listings-dir",
        "store",
        "--target-publish-mode",
        "Immediate",
        "--wait-for",
        "published",
    ];
    args.extend(extra);
    submit(sim, ws, &args)
}

fn published(sim: &Simulator, product_path: &str, field: &str) -> Value {
    let (status, resource) = sim.api("GET", product_path, None);
    assert_eq!(status, 200, "{resource}");
    let id = resource[field]["id"]
        .as_str()
        .expect("published id")
        .to_string();
    sim.submission(&id)
}

fn screenshots(submission: &Value, language: &str) -> Vec<(String, String, String)> {
    submission["listings"][language]["baseListing"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["imageType"] == "Screenshot")
        .map(|i| {
            (
                i["id"].as_str().unwrap_or("").to_string(),
                i["fileName"].as_str().unwrap().to_string(),
                i["description"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Blob writes (uploads) the simulator saw.
fn uploads(sim: &Simulator) -> usize {
    sim.writes()
        .iter()
        .filter(|w| w.starts_with("PUT /blob"))
        .count()
}

#[test]
fn pull_writes_every_field_a_placeholder_per_live_image_and_the_state() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    pull(&sim, &ws, &["--app-id", APP_ID], "store").assert_code(0);
    assert_eq!(
        read(&ws, "store/app/en-us/description.txt"),
        "Description\n"
    );
    assert_eq!(read(&ws, "store/app/en-us/keywords.txt"), "epub\n");
    assert_eq!(
        read(&ws, "store/app/en-us/features.txt"),
        "Free ebook reader\n"
    );
    // Every field is written, empty when unset.
    assert_eq!(read(&ws, "store/app/en-us/short_title.txt"), "");
    let placeholder = read(&ws, "store/app/en-us/images/Screenshot/01-contoso.live");
    assert!(
        placeholder.starts_with("id: 1152921504672272757\n"),
        "{placeholder}"
    );
    assert_eq!(
        read(&ws, "store/app/en-us/images/Screenshot/01-contoso.txt"),
        "Main page\n"
    );
    let state: Value =
        serde_json::from_str(&read(&ws, "store/.msstore/listing-state.json")).unwrap();
    assert_eq!(state["images"][0]["id"], "1152921504672272757");
    assert_eq!(
        state["images"][0]["file"],
        "app/en-us/images/Screenshot/01-contoso.live"
    );

    // A folder with files in it is never pulled over.
    let again = pull(&sim, &ws, &["--app-id", APP_ID], "store");
    again.assert_code(2);
    assert!(again.stderr.contains("is not empty"), "{}", again.log());
}

#[test]
fn round_trip_keeps_live_images_uploads_only_new_ones_reorders_recaptions_and_removes() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    pull(&sim, &ws, &["--app-id", APP_ID], "store").assert_code(0);

    // 1. Change the description, add one screenshot: the live one stays, unuploaded.
    ws.write(
        "store/app/en-us/description.txt",
        b"A better ebook reader\n",
    );
    let editor = image(1920, 1080, "editor");
    ws.write("store/app/en-us/images/Screenshot/02-editor.png", &editor);
    ws.write(
        "store/app/en-us/images/Screenshot/02-editor.txt",
        b"The editor\n",
    );
    let out = push(&sim, &ws, &["--zip-path", "first.zip"]);
    out.assert_code(0);
    let live = published(
        &sim,
        &format!("applications/{APP_ID}"),
        "lastPublishedApplicationSubmission",
    );
    assert_eq!(
        live["listings"]["en-us"]["baseListing"]["description"],
        "A better ebook reader"
    );
    let shots = screenshots(&live, "en-us");
    assert_eq!(shots.len(), 2, "{shots:?}");
    assert_eq!(shots[0].0, "1152921504672272757");
    assert_eq!(shots[0].1, "contoso.png");
    assert_eq!(shots[1].2, "The editor");
    let sha = crate::util::sha256_hex(&editor);
    assert!(shots[1].1.contains(&sha), "{shots:?}");
    let zip = std::fs::read(ws.path().join("first.zip")).unwrap();
    // Only the new image went up, under a name that carries its hash.
    assert_eq!(zip_entries(&zip), [shots[1].1.replace('\\', "/")]);
    let editor_id = shots[1].0.clone();

    // 2. Same files, editor moved first and recaptioned: nothing is uploaded again.
    std::fs::rename(
        ws.path()
            .join("store/app/en-us/images/Screenshot/02-editor.png"),
        ws.path()
            .join("store/app/en-us/images/Screenshot/00-editor.png"),
    )
    .unwrap();
    std::fs::remove_file(
        ws.path()
            .join("store/app/en-us/images/Screenshot/02-editor.txt"),
    )
    .unwrap();
    ws.write(
        "store/app/en-us/images/Screenshot/00-editor.txt",
        b"Write in peace\n",
    );
    let before = uploads(&sim);
    assert!(before > 0, "the first push uploaded: {:?}", sim.writes());
    push(&sim, &ws, &[]).assert_code(0);
    assert_eq!(
        uploads(&sim),
        before,
        "an unchanged live image was uploaded again"
    );
    let live = published(
        &sim,
        &format!("applications/{APP_ID}"),
        "lastPublishedApplicationSubmission",
    );
    let shots = screenshots(&live, "en-us");
    assert_eq!(
        shots
            .iter()
            .map(|s| (s.0.as_str(), s.2.as_str()))
            .collect::<Vec<_>>(),
        [
            (editor_id.as_str(), "Write in peace"),
            ("1152921504672272757", "Main page")
        ]
    );

    // 3. Deleting the placeholder removes that image; the other stays.
    std::fs::remove_file(
        ws.path()
            .join("store/app/en-us/images/Screenshot/01-contoso.live"),
    )
    .unwrap();
    std::fs::remove_file(
        ws.path()
            .join("store/app/en-us/images/Screenshot/01-contoso.txt"),
    )
    .unwrap();
    push(&sim, &ws, &[]).assert_code(0);
    let live = published(
        &sim,
        &format!("applications/{APP_ID}"),
        "lastPublishedApplicationSubmission",
    );
    let shots = screenshots(&live, "en-us");
    assert_eq!(shots.len(), 1, "{shots:?}");
    assert_eq!(shots[0].0, editor_id);

    // 4. Pulled again, the image this tool uploaded is known by its hash.
    let out = pull(&sim, &ws, &["--app-id", APP_ID], "again");
    out.assert_code(0);
    let state: Value =
        serde_json::from_str(&read(&ws, "again/.msstore/listing-state.json")).unwrap();
    assert_eq!(state["images"][0]["sha256"], sha.as_str());
    assert!(
        ws.path()
            .join("again/app/en-us/images/Screenshot/01-editor.live")
            .is_file()
    );
}

#[test]
fn an_absent_type_folder_or_field_file_keeps_the_live_one() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    // Only release notes: the screenshot and every other field stay.
    ws.write("store/app/en-us/release_notes.txt", b"Faster page turns\n");
    push(&sim, &ws, &[]).assert_code(0);
    let live = published(
        &sim,
        &format!("applications/{APP_ID}"),
        "lastPublishedApplicationSubmission",
    );
    let base = &live["listings"]["en-us"]["baseListing"];
    assert_eq!(base["releaseNotes"], "Faster page turns");
    assert_eq!(base["description"], "Description");
    assert_eq!(screenshots(&live, "en-us")[0].0, "1152921504672272757");
}

#[test]
fn languages_are_kept_unless_pruned_and_default_fills_new_ones() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write("store/app/default/description.txt", b"Read books\n");
    ws.write("store/app/de-de/description.txt", b"Lies Buecher\n");
    ws.write("store/app/fr-fr/copyright.txt", b"(c) Contoso\n");
    ws.write(
        "store/app/default/images/Screenshot/01-home.png",
        &image(1366, 768, "home"),
    );
    push(&sim, &ws, &[]).assert_code(0);
    let live = published(
        &sim,
        &format!("applications/{APP_ID}"),
        "lastPublishedApplicationSubmission",
    );
    let listings = live["listings"].as_object().unwrap();
    assert!(listings.contains_key("en-us"), "en-us kept: {listings:?}");
    assert_eq!(
        live["listings"]["de-de"]["baseListing"]["description"],
        "Lies Buecher"
    );
    assert_eq!(
        live["listings"]["fr-fr"]["baseListing"]["description"],
        "Read books"
    );
    assert_eq!(screenshots(&live, "fr-fr").len(), 1);
    // en-us has no folder: its own screenshot stays, default's does not replace it.
    assert_eq!(screenshots(&live, "en-us")[0].0, "1152921504672272757");

    push(&sim, &ws, &["--prune-languages"]).assert_code(0);
    let live = published(
        &sim,
        &format!("applications/{APP_ID}"),
        "lastPublishedApplicationSubmission",
    );
    let mut keys: Vec<&String> = live["listings"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["de-de", "fr-fr"]);
}

#[test]
fn an_addon_icon_round_trip() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    pull(&sim, &ws, &["--addon-id", ADDON_ID], "store").assert_code(0);
    assert_eq!(
        read(&ws, "store/addons/TestAddOn/en/title.txt"),
        "Add-on Title (English)\n"
    );
    assert!(
        ws.path()
            .join("store/addons/TestAddOn/ru/icon.live")
            .is_file()
    );
    ws.write("store/addons/TestAddOn/ru/icon.png", &image(300, 300, "ru"));
    std::fs::remove_file(ws.path().join("store/addons/TestAddOn/ru/icon.live")).unwrap();
    ws.write(
        "store/addons/TestAddOn/en/description.txt",
        b"More levels\n",
    );
    let out = Run::against(&ws, &sim)
        .args([
            "submit",
            "--addon-id",
            ADDON_ID,
            "--listings-dir",
            "store",
            "--wait-for",
            "published",
        ])
        .run();
    out.assert_code(0);
    let live = published(
        &sim,
        &format!("inappproducts/{ADDON_ID}"),
        "lastPublishedInAppProductSubmission",
    );
    assert_eq!(live["listings"]["en"]["description"], "More levels");
    let ru_icon = live["listings"]["ru"]["icon"]["fileName"].as_str().unwrap();
    assert!(
        ru_icon.starts_with("listings/addons/TestAddOn/ru/icon."),
        "{ru_icon}"
    );
    assert_eq!(
        live["listings"]["en"]["icon"]["fileName"],
        "add-on-en-us-listing2.png"
    );
}

#[test]
fn the_dry_run_shows_field_and_image_changes_and_changes_nothing() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    pull(&sim, &ws, &["--app-id", APP_ID], "store").assert_code(0);
    ws.write("store/app/en-us/description.txt", b"New words\n");
    ws.write(
        "store/app/en-us/images/Screenshot/02-new.png",
        &image(1920, 1080, "n"),
    );
    let out = submit(&sim, &ws, &["--listings-dir", "store", "--dry-run"]);
    out.assert_code(0);
    let log = out.log();
    assert!(
        log.contains("listing en-us: description \"Description\" → \"New words\""),
        "{log}"
    );
    assert!(
        log.contains("listing en-us: Screenshot: keep 1, upload 1"),
        "{log}"
    );
    assert!(sim.new_submissions(APP_ID).is_empty());
}

#[test]
fn the_lint_reports_every_problem_naming_the_file_before_any_call() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write(
        "store/app/en-us/description.txt",
        "x".repeat(10_001).as_bytes(),
    );
    ws.write(
        "store/app/en-us/keywords.txt",
        b"one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n",
    );
    ws.write(
        "store/app/en-us/features.txt",
        format!("{}\n", "f".repeat(201)).as_bytes(),
    );
    ws.write("store/app/en-us/tagline.txt", b"?\n");
    ws.write(
        "store/app/en-us/images/Screenshot/01-small.png",
        &image(800, 600, "s"),
    );
    ws.write(
        "store/app/en-us/images/Screenshot/02-photo.jpg",
        b"\xff\xd8\xff",
    );
    ws.write(
        "store/app/en-us/images/Screenshot/02-photo.txt",
        b"a photo\n",
    );
    ws.write(
        "store/app/en-us/images/Icon/icon.png",
        &image(256, 256, "i"),
    );
    ws.write("store/app/en_US/description.txt", b"x\n");
    ws.write(
        "store/addons/TestAddOn/en/icon.png",
        &image(256, 256, "addon"),
    );
    ws.write("store/trailers/01-launch/video.mp4", b"not really a video");
    let out = submit(&sim, &ws, &["--listings-dir", "store"]);
    out.assert_code(2);
    let err = &out.log();
    for expected in [
        "app/en-us/description.txt`: 10001 characters; the Store allows at most 10000",
        "app/en-us/keywords.txt`: 8 items; the Store allows at most 7",
        "app/en-us/features.txt`: line 1 has 201 characters",
        "app/en-us/tagline.txt`: is no listing field",
        "app/en-us/images/Screenshot/01-small.png`: 800×600 pixels",
        "app/en-us/images/Screenshot/02-photo.jpg`: listing images are PNG files",
        "app/en-us/images/Icon/icon.png`: 256×256 pixels; this image must be 300×300",
        "app/en_US`: is not a language code; did you mean `en-us`?",
        "addons/TestAddOn/en/icon.png`: 256×256 pixels; this image must be 300×300",
        "trailers/01-launch`: a trailer needs a title and a thumbnail",
    ] {
        assert!(
            err.contains(expected),
            "missing {expected:?} in\n{}",
            out.log()
        );
    }
    assert!(sim.requests().is_empty(), "no call before the lint passes");
}

#[test]
fn a_stale_placeholder_stops_the_run_before_any_change() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write(
        "store/app/en-us/images/Screenshot/01-gone.live",
        b"id: 999\nfileName: gone.png\n",
    );
    let out = push(&sim, &ws, &[]);
    out.assert_code(2);
    assert!(
        out.log().contains("stands for live image 999"),
        "{}",
        out.log()
    );
    assert!(sim.new_submissions(APP_ID).is_empty());
}

#[test]
fn a_trailer_is_uploaded_once_then_kept_and_retitled() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write("store/trailers/01-launch/video.mp4", b"a launch video");
    ws.write("store/trailers/01-launch/default/title.txt", b"Launch\n");
    ws.write(
        "store/trailers/01-launch/default/thumbnail.png",
        &image(1920, 1080, "thumb"),
    );
    ws.write(
        "store/trailers/01-launch/default/thumbnail.txt",
        b"A still\n",
    );
    push(&sim, &ws, &["--zip-path", "first.zip"]).assert_code(0);
    let live = published(
        &sim,
        &format!("applications/{APP_ID}"),
        "lastPublishedApplicationSubmission",
    );
    let trailer = &live["trailers"][0];
    assert_eq!(trailer["trailerAssets"]["en-us"]["title"], "Launch");
    let zip = zip_entries(&std::fs::read(ws.path().join("first.zip")).unwrap());
    assert_eq!(zip.len(), 2, "{zip:?}");
    let id = trailer["id"]
        .as_str()
        .expect("a published trailer has an id")
        .to_string();

    // A new title only: the trailer stays, nothing is uploaded.
    ws.write(
        "store/trailers/01-launch/default/title.txt",
        b"Launch day\n",
    );
    let before = uploads(&sim);
    push(&sim, &ws, &[]).assert_code(0);
    assert_eq!(uploads(&sim), before);
    let live = published(
        &sim,
        &format!("applications/{APP_ID}"),
        "lastPublishedApplicationSubmission",
    );
    assert_eq!(live["trailers"][0]["id"], id.as_str());
    assert_eq!(
        live["trailers"][0]["trailerAssets"]["en-us"]["title"],
        "Launch day"
    );

    // Pulled, it is a placeholder; an empty trailers/ folder removes it.
    pull(&sim, &ws, &["--app-id", APP_ID], "again").assert_code(0);
    let video = read(&ws, "again/trailers/01-launch/video.live");
    assert!(video.starts_with(&format!("id: {id}\n")), "{video}");
    std::fs::remove_dir_all(ws.path().join("store/trailers/01-launch")).unwrap();
    push(&sim, &ws, &[]).assert_code(0);
    let live = published(
        &sim,
        &format!("applications/{APP_ID}"),
        "lastPublishedApplicationSubmission",
    );
    assert_eq!(live["trailers"], serde_json::json!([]));
}

const PDP: &str = include_str!("../fixtures/storebroker/ProductDescription.xml");
const ADDON_PDP: &str = include_str!("../fixtures/storebroker/InAppProductDescription.xml");

fn import(ws: &Workspace, extra: &[&str]) -> crate::util::Outcome {
    Run::new(ws)
        .args([
            "import-pdp",
            "--pdp-dir",
            "pdps",
            "--pdp-media-dir",
            "media",
            "--listings-dir",
            "store",
        ])
        .args(extra)
        .run()
}

#[test]
fn import_pdp_turns_storebrokers_sample_into_the_layout() {
    let ws = Workspace::new();
    ws.write("pdps/en-US/PDP.xml", PDP.as_bytes());
    // The sample's media, under ImagesRootPath\<Release>\<lang>\ at any depth.
    for name in [
        "Desktop1.jpg",
        "Desktop2.jpg",
        "Desktop3.jpg",
        "Mobile1.jpg",
        "Mobile2.jpg",
        "Xbox1.jpg",
        "Xbox2.jpg",
        "Surface1.jpg",
        "Surface2.jpg",
        "Holo1.jpg",
        "Holo2.jpg",
        "xboxBrandedKeyArt.png",
        "PromoArtLarge.png",
        "logo9x16.png",
        "trailer1.mp4",
        "trailer1screenshot.png",
    ] {
        ws.write(&format!("media/1611/en-us/shots/{name}"), name.as_bytes());
    }
    let out = import(&ws, &[]);
    out.assert_code(0);
    let description = read(&ws, "store/app/en-us/description.txt");
    assert!(
        description.starts_with("Turn any video into a memorable moment"),
        "{description}"
    );
    assert_eq!(
        read(&ws, "store/app/en-us/title.txt"),
        "My Localized AppName\n"
    );
    assert_eq!(
        read(&ws, "store/app/en-us/keywords.txt"),
        "Video edit\nCaptions\nTrim\nSoundtrack\nVideo sharing\n"
    );
    // An empty element clears the field, as StoreBroker sends "".
    assert_eq!(read(&ws, "store/app/en-us/short_description.txt"), "");
    assert_eq!(
        read(&ws, "store/app/en-us/minimum_hardware.txt"),
        "Computer\nKeyboard\n"
    );
    // Caption-first: each image of a caption gets its text, in caption order per type.
    assert_eq!(
        read(&ws, "store/app/en-us/images/Screenshot/03-Desktop3.txt"),
        "Add text to your video\n"
    );
    assert_eq!(
        read(&ws, "store/app/en-us/images/Screenshot/01-Desktop1.jpg"),
        "Desktop1.jpg"
    );
    assert_eq!(
        read(&ws, "store/app/en-us/images/XboxScreenshot/02-Xbox2.txt"),
        "Add matching music to your video\n"
    );
    assert!(
        ws.path()
            .join("store/app/en-us/images/StoreLogo9x16/01-logo9x16.png")
            .is_file()
    );
    assert_eq!(
        read(&ws, "store/trailers/01-trailer1/video.mp4"),
        "trailer1.mp4"
    );
    assert_eq!(
        read(&ws, "store/trailers/01-trailer1/en-us/title.txt"),
        "This is Trailer 1's title.\n"
    );
    assert!(
        ws.path()
            .join("store/trailers/01-trailer1/en-us/thumbnail.png")
            .is_file()
    );
    // Obsolete fields have no file.
    assert!(!ws.path().join("store/app/en-us/website_url.txt").exists());
    // The sample's JPEG screenshots: said, and left to the lint of `submit`.
    assert!(
        out.log().contains("the Store takes PNG images only"),
        "{}",
        out.log()
    );
}

#[test]
fn import_pdp_names_every_missing_media_file_and_writes_nothing() {
    let ws = Workspace::new();
    ws.write("pdps/en-us/PDP.xml", PDP.as_bytes());
    ws.write("media/1611/en-us/Desktop1.jpg", b"x");
    let out = import(&ws, &[]);
    out.assert_code(2);
    let log = out.log();
    assert!(
        log.contains("names `Desktop2.jpg`, which is not under"),
        "{log}"
    );
    assert!(log.contains("names `trailer1.mp4`"), "{log}");
    assert!(!ws.path().join("store/app").exists());
}

#[test]
fn an_imported_addon_pdp_is_submitted() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write("pdps/en-us/IAP.xml", ADDON_PDP.as_bytes());
    ws.write("media/1611/en-us/icon.png", &image(300, 300, "icon"));
    import(&ws, &["--addon-product-id", "TestAddOn"]).assert_code(0);
    assert_eq!(
        read(&ws, "store/addons/TestAddOn/en-us/title.txt"),
        "My Localized App Add-on IAP\n"
    );
    let out = Run::against(&ws, &sim)
        .args([
            "submit",
            "--addon-product-id",
            "TestAddOn",
            "--listings-dir",
            "store",
            "--wait-for",
            "published",
        ])
        .run();
    out.assert_code(0);
    let live = published(
        &sim,
        &format!("inappproducts/{ADDON_ID}"),
        "lastPublishedInAppProductSubmission",
    );
    let listing = &live["listings"]["en-us"];
    assert_eq!(listing["title"], "My Localized App Add-on IAP");
    assert_eq!(
        listing["description"],
        "This add-on will provide you with 200 extra coins."
    );
    assert_eq!(listing["icon"]["fileStatus"], "Uploaded");
    // The other languages are kept.
    assert_eq!(live["listings"]["ru"]["title"], "Add-on Title (Russian)");
}

#[test]
fn a_new_addon_language_without_a_title_stops_before_any_change() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write("store/addons/TestAddOn/de/description.txt", b"Mehr Level\n");
    let out = Run::against(&ws, &sim)
        .args([
            "submit",
            "--addon-product-id",
            "TestAddOn",
            "--listings-dir",
            "store",
        ])
        .run();
    out.assert_code(2);
    assert!(
        out.log()
            .contains("`addons/TestAddOn/de`: an add-on listing needs a title"),
        "{}",
        out.log()
    );
    assert!(
        !sim.writes()
            .iter()
            .any(|w| w.starts_with("POST") || w.starts_with("PUT")),
        "{:?}",
        sim.writes()
    );
}

#[test]
fn a_type_folder_holding_only_gitkeep_removes_that_type() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write("store/app/en-us/images/Screenshot/.gitkeep", b"");
    push(&sim, &ws, &[]).assert_code(0);
    let live = published(
        &sim,
        &format!("applications/{APP_ID}"),
        "lastPublishedApplicationSubmission",
    );
    assert!(screenshots(&live, "en-us").is_empty());
    assert_eq!(
        live["listings"]["en-us"]["baseListing"]["description"],
        "Description"
    );
}

#[test]
fn a_new_language_without_description_or_screenshot_stops_before_any_change() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    ws.write("store/app/ja-jp/release_notes.txt", b"Faster\n");
    let out = push(&sim, &ws, &[]);
    out.assert_code(2);
    assert!(
        out.log().contains(
            "`app/ja-jp` adds the listing ja-jp, which needs a description and a screenshot"
        ),
        "{}",
        out.log()
    );
    assert!(sim.new_submissions(APP_ID).is_empty());
}

#[test]
fn msi_exe_products_take_the_folder_with_their_own_fields() {
    let ws = Workspace::new();
    let guid = "3f0a6a5e-6c2d-4a8e-9d51-6a1b2c3d4e5f";
    let msi = ["--simulate", "--app-id", guid, "--seller-id", "123456892"];
    // `pull` writes the MSI/EXE listing under the shared names (and its own `contact_info`).
    Run::new(&ws)
        .args(["pull", "--listings-dir", "new"])
        .args(msi)
        .run()
        .assert_code(0);
    assert_eq!(
        std::fs::read_to_string(ws.path().join("new/app/en-us/description.txt")).unwrap(),
        "Contoso Tool manages your widgets.\n"
    );
    assert!(ws.path().join("new/app/en-us/contact_info.txt").is_file());
    // What the MSI/EXE API cannot express is refused, naming the file, not ignored.
    ws.write("store/app/en-us/description.txt", b"x\n");
    ws.write("store/app/en-us/voice_title.txt", b"Contoso\n");
    ws.write("store/addons/TestAddOn/en/title.txt", b"Coins\n");
    let out = Run::new(&ws)
        .args(["submit", "--listings-dir", "store"])
        .args(msi)
        .run();
    out.assert_code(2);
    for text in [
        "`app/en-us/voice_title.txt`: is no listing field",
        "`addons/`: MSI/EXE products have no add-ons",
    ] {
        assert!(out.log().contains(text), "{text}: {}", out.log());
    }
}

/// Adds a screenshot to the app's live en-us listing as Partner Center would (a submission
/// made by hand through the API, under a name this tool never gives), and waits until it
/// is published. Returns the new image's id.
fn add_screenshot_in_partner_center(sim: &Simulator, name: &str) -> String {
    let bytes = image(1920, 1080, "partner-center");
    let live = publish_in_partner_center(
        sim,
        |submission| {
            submission["listings"]["en-us"]["baseListing"]["images"]
                .as_array_mut()
                .unwrap()
                .push(
                    serde_json::json!({"fileName": name, "fileStatus": "PendingUpload",
                    "imageType": "Screenshot", "description": "From Partner Center"}),
                );
        },
        &[(name, &bytes[..])],
    );
    screenshots(&live, "en-us")
        .into_iter()
        .find(|s| s.1 == name)
        .map(|s| s.0)
        .expect("the new screenshot is live")
}

/// Makes an app submission by hand through the API as Partner Center would: a copy of the
/// live one changed by `edit`, `files` uploaded, committed; waits until it is published and
/// returns it.
fn publish_in_partner_center(
    sim: &Simulator,
    edit: impl FnOnce(&mut Value),
    files: &[(&str, &[u8])],
) -> Value {
    let app = format!("applications/{APP_ID}");
    let (status, created) = sim.api("POST", &format!("{app}/submissions"), None);
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let mut submission = created.clone();
    submission["targetPublishMode"] = serde_json::json!("Immediate");
    edit(&mut submission);
    let path = format!("{app}/submissions/{id}");
    let (status, body) = sim.api("PUT", &path, Some(submission));
    assert_eq!(status, 200, "{body}");
    let zip = crate::util::zip_of(files);
    let url = created["fileUploadUrl"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");
    ureq::put(&url)
        .header("x-ms-blob-type", "BlockBlob")
        .send(&zip[..])
        .expect("upload");
    let (status, body) = sim.api("POST", &format!("{path}/commit"), None);
    assert_eq!(status, 200, "{body}");
    // The simulator's phases are short; the bound only keeps a broken run from hanging.
    let started = std::time::Instant::now();
    loop {
        let (_, resource) = sim.api("GET", &app, None);
        if resource["lastPublishedApplicationSubmission"]["id"] == id.as_str() {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{}",
            sim.submission(&id)
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    sim.submission(&id)
}

#[test]
fn an_image_added_in_partner_center_after_pull_is_never_removed_silently() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    pull(&sim, &ws, &["--app-id", APP_ID], "store").assert_code(0);
    let added = add_screenshot_in_partner_center(&sim, "pc-added.png");

    // Only the text changes: the folder would drop the new image it never saw. Stopped,
    // in the dry run too, before anything is written.
    ws.write("store/app/en-us/description.txt", b"New words\n");
    let expected = "`app/en-us/images/Screenshot/`: 1 live image(s) of Screenshot in en-us are not in this folder and were never pulled into it";
    let dry = submit(&sim, &ws, &["--listings-dir", "store", "--dry-run"]);
    dry.assert_code(2);
    assert!(dry.log().contains(expected), "{}", dry.log());
    let writes = sim.writes().len();
    let out = push(&sim, &ws, &[]);
    out.assert_code(2);
    assert!(out.log().contains(expected), "{}", out.log());
    assert!(out.log().contains("run `pull`"), "{}", out.log());
    assert_eq!(sim.writes().len(), writes, "{:?}", sim.writes());
    assert!(sim.new_submissions(APP_ID).is_empty());

    // Pulled again, its placeholder is there: deleting it is the user's choice.
    std::fs::remove_dir_all(ws.path().join("store")).unwrap();
    pull(&sim, &ws, &["--app-id", APP_ID], "store").assert_code(0);
    let placeholder = "store/app/en-us/images/Screenshot/02-pc-added";
    assert!(read(&ws, &format!("{placeholder}.live")).starts_with(&format!("id: {added}\n")));
    std::fs::remove_file(ws.path().join(format!("{placeholder}.live"))).unwrap();
    std::fs::remove_file(ws.path().join(format!("{placeholder}.txt"))).unwrap();
    ws.write("store/app/en-us/description.txt", b"New words\n");
    push(&sim, &ws, &[]).assert_code(0);
    let live = published(
        &sim,
        &format!("applications/{APP_ID}"),
        "lastPublishedApplicationSubmission",
    );
    assert_eq!(
        live["listings"]["en-us"]["baseListing"]["description"],
        "New words"
    );
    let shots = screenshots(&live, "en-us");
    assert_eq!(shots.len(), 1, "{shots:?}");
    assert_eq!(shots[0].0, "1152921504672272757");
}

#[test]
fn a_trailer_added_in_partner_center_after_pull_is_never_removed_silently() {
    let sim = Simulator::start();
    let ws = Workspace::new();
    // A trailer this tool pushed from a hand-written folder, then a pulled folder.
    ws.write("hand/trailers/01-launch/video.mp4", b"a launch video");
    ws.write("hand/trailers/01-launch/default/title.txt", b"Launch\n");
    ws.write(
        "hand/trailers/01-launch/default/thumbnail.png",
        &image(1920, 1080, "thumb"),
    );
    submit(
        &sim,
        &ws,
        &[
            "--listings-dir",
            "hand",
            "--target-publish-mode",
            "Immediate",
            "--wait-for",
            "published",
        ],
    )
    .assert_code(0);
    pull(&sim, &ws, &["--app-id", APP_ID], "store").assert_code(0);
    let trailer_ids = |live: &Value| -> Vec<String> {
        live["trailers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect()
    };
    let thumbnail = image(1920, 1080, "pc-thumb");
    let live = publish_in_partner_center(
        &sim,
        |submission| {
            submission["trailers"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({
                    "videoFileName": "pc-trailer.mp4",
                    "trailerAssets": {"en-us": {"title": "From Partner Center",
                        "imageList": [{"fileName": "pc-thumb.png", "description": ""}]}}
                }));
        },
        &[
            ("pc-trailer.mp4", b"a video from Partner Center"),
            ("pc-thumb.png", &thumbnail[..]),
        ],
    );
    let ids = trailer_ids(&live);
    assert_eq!(ids.len(), 2, "{live}");

    // Only the text changes: `trailers/` would drop the trailer it never saw. Stopped, in
    // the dry run too, before anything is written.
    ws.write("store/app/en-us/description.txt", b"New words\n");
    let expected = "`trailers/`: 1 live trailer(s) in en-us are not in this folder and were never pulled into it";
    let dry = submit(&sim, &ws, &["--listings-dir", "store", "--dry-run"]);
    dry.assert_code(2);
    assert!(dry.log().contains(expected), "{}", dry.log());
    let writes = sim.writes().len();
    let out = push(&sim, &ws, &[]);
    out.assert_code(2);
    assert!(out.log().contains(expected), "{}", out.log());
    assert!(out.log().contains("run `pull`"), "{}", out.log());
    assert_eq!(sim.writes().len(), writes, "{:?}", sim.writes());
    assert!(sim.new_submissions(APP_ID).is_empty());
    // The hand-written folder is exact: its `trailers/` removes the trailer it does not hold.
    let dry = submit(&sim, &ws, &["--listings-dir", "hand", "--dry-run"]);
    dry.assert_code(0);
    assert!(dry.log().contains("trailers: remove 1"), "{}", dry.log());

    // Pulled again, its folder is there: deleting it is the user's choice.
    std::fs::remove_dir_all(ws.path().join("store")).unwrap();
    pull(&sim, &ws, &["--app-id", APP_ID], "store").assert_code(0);
    let video = read(&ws, "store/trailers/02-pc-trailer/video.live");
    assert!(video.starts_with(&format!("id: {}\n", ids[1])), "{video}");
    std::fs::remove_dir_all(ws.path().join("store/trailers/02-pc-trailer")).unwrap();
    ws.write("store/app/en-us/description.txt", b"New words\n");
    push(&sim, &ws, &[]).assert_code(0);
    let live = published(
        &sim,
        &format!("applications/{APP_ID}"),
        "lastPublishedApplicationSubmission",
    );
    assert_eq!(
        live["listings"]["en-us"]["baseListing"]["description"],
        "New words"
    );
    assert_eq!(trailer_ids(&live), ids[..1]);
}

#[test]
fn pull_refuses_a_language_or_image_type_that_is_no_folder_name_before_writing() {
    for (language, image_type, named) in [
        ("../evil", "Screenshot", "language \"../evil\""),
        ("en-us", "../../evil", "image type \"../../evil\""),
    ] {
        let sim = Simulator::start();
        let ws = Workspace::new();
        let app = format!("applications/{APP_ID}");
        let mut live = published(&sim, &app, "lastPublishedApplicationSubmission");
        let id = live["id"].as_str().unwrap().to_string();
        let mut listing = live["listings"]["en-us"].clone();
        listing["baseListing"]["images"][0]["imageType"] = serde_json::json!(image_type);
        live["listings"] = serde_json::json!({ language: listing });
        // The Store's answer names a folder outside `listings-dir`.
        sim.fault(serde_json::json!({
            "method": "GET",
            "path": format!("/v1.0/my/{app}/submissions/{id}"),
            "kind": "answer",
            "message": live.to_string(),
        }));
        let out = pull(&sim, &ws, &["--app-id", APP_ID], "store");
        out.assert_code(1);
        assert!(
            out.log().contains(&format!(
                "the Store named a listing {named}, which cannot be a folder name; nothing was written"
            )),
            "{}",
            out.log()
        );
        assert!(!ws.path().join("store").exists());
        assert!(!ws.path().join("evil").exists());
    }
}

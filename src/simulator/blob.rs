//! The blob behind `fileUploadUrl`: Azure Blob Put Blob, Put Block, Put Block List, Get
//! Blob and Get Blob Properties, authorised by a SAS-style signature with expiry and
//! permissions (https://learn.microsoft.com/rest/api/storageservices/put-block). Uploads stream to disk, never held in
//! memory. Size limits follow the service version a request runs under: `x-ms-version`
//! when sent, else the SAS `sv` (2014-02-14 in the Store's URLs: 64 MiB Put Blob, 4 MiB
//! blocks), answering 413 beyond them as Azure does.

use std::collections::BTreeMap;
use std::path::{Path as FsPath, PathBuf};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use futures_util::StreamExt;
use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;
use tokio::io::AsyncWriteExt;

use super::Shared;
use super::state::Blob;
use crate::upload::crc64::{self, Crc64};

const MIB: u64 = 1 << 20;
const MAX_BLOCKS: usize = 50_000;

/// The simulator's SAS signature: HMAC-SHA256 over blob name, expiry and permissions.
/// (Azure signs a longer string-to-sign; what matters here is that any change to the
/// signature, such as a `+` turned into a space, is refused.)
pub fn sign(key: &[u8], blob: &str, expiry: &str, permissions: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(format!("{blob}\n{expiry}\n{permissions}").as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

fn storage_error(status: StatusCode, code: &str, message: &str) -> Response {
    let request_id = uuid::Uuid::new_v4();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>{message}\nRequestId:{request_id}\nTime:{}</Message></Error>",
        jiff::Timestamp::now()
    );
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert("Content-Type", HeaderValue::from_static("application/xml"));
    headers.insert(
        "x-ms-error-code",
        HeaderValue::from_str(code).expect("ascii"),
    );
    if let Ok(v) = HeaderValue::from_str(&request_id.to_string()) {
        headers.insert("x-ms-request-id", v);
    }
    response
}

struct Access {
    query: BTreeMap<String, String>,
    version: String,
}

/// Checks the SAS: signature (form-decoded, so `+` is a space), expiry, permission.
fn authorize(shared: &Shared, name: &str, uri: &Uri, permission: char) -> Result<Access, Response> {
    let query: BTreeMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let key = shared.lock().expect("simulator state").signing_key;
    let field = |k: &str| query.get(k).cloned().unwrap_or_default();
    let (expiry, permissions, signature) = (field("se"), field("sp"), field("sig"));
    let fail = |detail: &str| {
        storage_error(
            StatusCode::FORBIDDEN,
            "AuthenticationFailed",
            &format!("Server failed to authenticate the request. {detail}"),
        )
    };
    if signature.is_empty() {
        return Err(fail("The request has no signature."));
    }
    if sign(&key, name, &expiry, &permissions) != signature {
        return Err(fail("Signature did not match."));
    }
    match expiry.parse::<jiff::Timestamp>() {
        Ok(at) if at > jiff::Timestamp::now() => {}
        _ => return Err(fail("Signature not valid in the specified time frame.")),
    }
    if !permissions.contains(permission) {
        return Err(storage_error(
            StatusCode::FORBIDDEN,
            "AuthorizationPermissionMismatch",
            "This request is not authorized to perform this operation using this permission.",
        ));
    }
    let version = field("sv");
    Ok(Access { query, version })
}

/// Size limits per service version
/// (https://learn.microsoft.com/azure/storage/blobs/scalability-targets).
fn limits(version: &str) -> (u64, u64) {
    if version >= "2019-12-12" {
        (5000 * MIB, 4000 * MIB)
    } else if version >= "2016-05-31" {
        (256 * MIB, 100 * MIB)
    } else {
        (64 * MIB, 4 * MIB)
    }
}

fn effective_version(headers: &HeaderMap, access: &Access) -> String {
    headers
        .get("x-ms-version")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| access.version.clone())
}

pub async fn put(
    State(shared): State<Shared>,
    Path(name): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let access = match authorize(&shared, &name, &uri, 'w') {
        Ok(a) => a,
        Err(r) => return r,
    };
    let version = effective_version(&headers, &access);
    match access.query.get("comp").map(String::as_str) {
        None => put_blob(&shared, &name, &headers, body, &version).await,
        Some("block") => put_block(&shared, &name, &access, &headers, body, &version).await,
        Some("blocklist") => put_block_list(&shared, &name, &headers, body, &version).await,
        Some(other) => storage_error(
            StatusCode::BAD_REQUEST,
            "InvalidQueryParameterValue",
            &format!(
                "Value for one of the query parameters specified in the request URI is invalid: comp={other}"
            ),
        ),
    }
}

async fn put_blob(
    shared: &Shared,
    name: &str,
    headers: &HeaderMap,
    body: Body,
    version: &str,
) -> Response {
    if headers.get("x-ms-blob-type").and_then(|v| v.to_str().ok()) != Some("BlockBlob") {
        return storage_error(
            StatusCode::BAD_REQUEST,
            "MissingRequiredHeader",
            "An HTTP header that's mandatory for this request is not specified: x-ms-blob-type.",
        );
    }
    let (max_blob, _) = limits(version);
    let dir = shared.lock().expect("simulator state").data_dir.clone();
    let target = dir
        .join("blobs")
        .join(format!("{name}.{}", uuid::Uuid::new_v4()));
    let (size, md5, crc64) = match receive(body, headers, &target, max_blob, version).await {
        Ok(done) => done,
        Err(response) => return response,
    };
    let mut world = shared.lock().expect("simulator state");
    world.blocks.remove(name);
    let previous = world.blobs.insert(
        name.to_string(),
        Blob::written(
            target,
            size,
            Some(md5.clone()),
            header(headers, "x-ms-blob-content-type").or_else(|| header(headers, "content-type")),
            metadata(headers),
        ),
    );
    if let Some(old) = previous {
        let _ = std::fs::remove_file(old.path);
    }
    let written = world
        .blobs
        .get(name)
        .map(|b| (b.etag.clone(), b.last_modified.clone()));
    with_crc64(created(Some(&md5), written, version), crc64)
}

async fn put_block(
    shared: &Shared,
    name: &str,
    access: &Access,
    headers: &HeaderMap,
    body: Body,
    version: &str,
) -> Response {
    let Some(id) = access.query.get("blockid").cloned() else {
        return storage_error(
            StatusCode::BAD_REQUEST,
            "MissingRequiredQueryParameter",
            "A query parameter that's mandatory for this request is not specified: blockid.",
        );
    };
    match BASE64.decode(&id) {
        Ok(raw) if !raw.is_empty() && raw.len() <= 64 => {}
        _ => {
            return storage_error(
                StatusCode::BAD_REQUEST,
                "InvalidQueryParameterValue",
                "Value for one of the query parameters specified in the request URI is invalid: blockid.",
            );
        }
    }
    let dir = {
        let world = shared.lock().expect("simulator state");
        if let Some(blocks) = world.blocks.get(name)
            && blocks.keys().any(|other| other.len() != id.len())
        {
            return storage_error(
                StatusCode::BAD_REQUEST,
                "InvalidBlobOrBlock",
                "The specified blob or block content is invalid.",
            );
        }
        world.data_dir.join("blocks").join(name)
    };
    if let Err(e) = tokio::fs::create_dir_all(&dir).await {
        return storage_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            &e.to_string(),
        );
    }
    let (_, max_block) = limits(version);
    let target = dir.join(format!(
        "{}.{}",
        hex::encode(id.as_bytes()),
        uuid::Uuid::new_v4()
    ));
    let (size, md5, crc64) = match receive(body, headers, &target, max_block, version).await {
        Ok(done) => done,
        Err(response) => return response,
    };
    let mut world = shared.lock().expect("simulator state");
    let previous = world
        .blocks
        .entry(name.to_string())
        .or_default()
        .insert(id, (target, size));
    if let Some((old, _)) = previous {
        let _ = std::fs::remove_file(old);
    }
    // Put Block answers carry no ETag: the blob itself is unchanged.
    with_crc64(created(Some(&md5), None, version), crc64)
}

async fn put_block_list(
    shared: &Shared,
    name: &str,
    headers: &HeaderMap,
    body: Body,
    version: &str,
) -> Response {
    let bytes = match axum::body::to_bytes(body, 16 * MIB as usize).await {
        Ok(b) => b,
        Err(_) => {
            return storage_error(
                StatusCode::BAD_REQUEST,
                "InvalidXmlDocument",
                "XML specified is not syntactically valid.",
            );
        }
    };
    let list_md5 = BASE64.encode(Md5::digest(&bytes));
    let Some(ids) = parse_block_list(&bytes) else {
        return storage_error(
            StatusCode::BAD_REQUEST,
            "InvalidXmlDocument",
            "XML specified is not syntactically valid.",
        );
    };
    if ids.len() > MAX_BLOCKS {
        return storage_error(
            StatusCode::CONFLICT,
            "BlockCountExceedsLimit",
            "The committed block count cannot exceed the maximum limit of 50,000 blocks.",
        );
    }
    let (parts, dir) = {
        let world = shared.lock().expect("simulator state");
        let blocks = world.blocks.get(name);
        let mut parts = Vec::with_capacity(ids.len());
        for id in &ids {
            match blocks.and_then(|b| b.get(id)) {
                Some((path, _)) => parts.push(path.clone()),
                None => {
                    return storage_error(
                        StatusCode::BAD_REQUEST,
                        "InvalidBlockList",
                        "The specified block list is invalid.",
                    );
                }
            }
        }
        (parts, world.data_dir.join("blobs"))
    };
    let target = dir.join(format!("{name}.{}", uuid::Uuid::new_v4()));
    let size = match concatenate(&parts, &target).await {
        Ok(size) => size,
        Err(e) => {
            return storage_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                &e.to_string(),
            );
        }
    };
    let mut world = shared.lock().expect("simulator state");
    if let Some(blocks) = world.blocks.remove(name) {
        for (path, _) in blocks.into_values() {
            let _ = std::fs::remove_file(path);
        }
    }
    let previous = world.blobs.insert(
        name.to_string(),
        // Put Block List stores x-ms-blob-content-md5 as given, unchecked.
        Blob::written(
            target,
            size,
            header(headers, "x-ms-blob-content-md5"),
            header(headers, "x-ms-blob-content-type"),
            metadata(headers),
        ),
    );
    if let Some(old) = previous {
        let _ = std::fs::remove_file(old.path);
    }
    let written = world
        .blobs
        .get(name)
        .map(|b| (b.etag.clone(), b.last_modified.clone()));
    // Azure answers Put Block List with the MD5 of the block list it was sent.
    created(Some(&list_md5), written, version)
}

pub async fn get_blob(
    State(shared): State<Shared>,
    Path(name): Path<String>,
    uri: Uri,
) -> Response {
    read(&shared, &name, &uri, Method::GET).await
}

pub async fn head_blob(
    State(shared): State<Shared>,
    Path(name): Path<String>,
    uri: Uri,
) -> Response {
    read(&shared, &name, &uri, Method::HEAD).await
}

async fn read(shared: &Shared, name: &str, uri: &Uri, method: Method) -> Response {
    if let Err(r) = authorize(shared, name, uri, 'r') {
        return r;
    }
    let (path, size, md5, content_type, meta, etag, modified) = {
        let world = shared.lock().expect("simulator state");
        let Some(blob) = world.blobs.get(name) else {
            return storage_error(
                StatusCode::NOT_FOUND,
                "BlobNotFound",
                "The specified blob does not exist.",
            );
        };
        (
            blob.path.clone(),
            blob.size,
            blob.content_md5.clone(),
            blob.content_type.clone(),
            blob.metadata.clone(),
            blob.etag.clone(),
            blob.last_modified.clone(),
        )
    };
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        match tokio::fs::File::open(&path).await {
            Ok(file) => Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
                file,
                256 * 1024,
            )),
            Err(e) => {
                return storage_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalError",
                    &e.to_string(),
                );
            }
        }
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert("Content-Length", HeaderValue::from(size));
    headers.insert("x-ms-blob-type", HeaderValue::from_static("BlockBlob"));
    for (name, value) in [("ETag", etag), ("Last-Modified", modified)] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    if let Some(md5) = md5.and_then(|m| HeaderValue::from_str(&m).ok()) {
        headers.insert("Content-MD5", md5);
    }
    if let Some(kind) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert("Content-Type", kind);
    }
    for (key, value) in meta {
        if let (Ok(k), Ok(v)) = (
            axum::http::HeaderName::from_bytes(format!("x-ms-meta-{key}").as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.insert(k, v);
        }
    }
    response
}

/// Streams a request body to `target`, checking the size limit, `Content-MD5` and
/// `x-ms-content-crc64`. Returns the size, the MD5 and, when the request sent one, the CRC64
/// the server computed.
async fn receive(
    body: Body,
    headers: &HeaderMap,
    target: &FsPath,
    limit: u64,
    version: &str,
) -> Result<(u64, String, Option<u64>), Response> {
    let too_large = || {
        storage_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestBodyTooLarge",
            "The request body is too large and exceeds the maximum permissible limit.",
        )
    };
    let sent_crc64 = match transactional_crc64(headers, version) {
        Ok(sent) => sent,
        Err(response) => return Err(response),
    };
    let declared: Option<u64> = header(headers, "content-length").and_then(|v| v.parse().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let internal = |e: std::io::Error| {
        storage_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            &e.to_string(),
        )
    };
    let mut file = tokio::fs::File::create(target).await.map_err(internal)?;
    let mut stream = body.into_data_stream();
    let mut hasher = Md5::new();
    let mut crc64 = sent_crc64.map(|_| Crc64::default());
    let mut size = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(_) => {
                let _ = tokio::fs::remove_file(target).await;
                return Err(storage_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidInput",
                    "The request body ended early.",
                ));
            }
        };
        size += chunk.len() as u64;
        if size > limit {
            let _ = tokio::fs::remove_file(target).await;
            return Err(too_large());
        }
        hasher.update(&chunk);
        if let Some(crc64) = &mut crc64 {
            crc64.update(&chunk);
        }
        file.write_all(&chunk).await.map_err(internal)?;
    }
    file.flush().await.map_err(internal)?;
    let md5 = BASE64.encode(hasher.finalize());
    if let Some(sent) = header(headers, "content-md5")
        && sent != md5
    {
        let _ = tokio::fs::remove_file(target).await;
        return Err(storage_error(
            StatusCode::BAD_REQUEST,
            "Md5Mismatch",
            "The MD5 value specified in the request did not match with the MD5 value calculated by the server.",
        ));
    }
    let computed = crc64.map(|c| c.finish());
    if let (Some(sent), Some(computed)) = (sent_crc64, computed)
        && sent != computed
    {
        let _ = tokio::fs::remove_file(target).await;
        return Err(crc64_mismatch(sent, computed).await);
    }
    Ok((size, md5, computed))
}

/// The `x-ms-content-crc64` of a Put Blob or Put Block, when the request's service version
/// knows the header (2019-02-02 and later:
/// https://learn.microsoft.com/rest/api/storageservices/put-block). Azure refuses a request
/// that sends both it and `Content-MD5` (400, same page).
/// UNKNOWN: the error codes of both refusals (Azure documents only "400 Bad Request"), and
/// what a version before 2019-02-02 does with the header; here it is ignored, as Azure
/// ignores headers it does not know (docs/simulator.md).
fn transactional_crc64(headers: &HeaderMap, version: &str) -> Result<Option<u64>, Response> {
    let Some(value) = header(headers, "x-ms-content-crc64") else {
        return Ok(None);
    };
    if version < "2019-02-02" {
        return Ok(None);
    }
    let invalid = || {
        storage_error(
            StatusCode::BAD_REQUEST,
            "InvalidHeaderValue",
            "The value for one of the HTTP headers is not in the correct format.",
        )
    };
    if headers.contains_key("content-md5") {
        return Err(invalid());
    }
    crc64::parse_header(&value).map(Some).ok_or_else(invalid)
}

/// Azure's answer to a body whose CRC64 is not the one sent: 400 `Crc64Mismatch`, naming
/// both values (as in Azure's recorded answers, e.g. the Azure SDK for JavaScript's test
/// recordings of `x-ms-version: 2019-02-02`).
async fn crc64_mismatch(sent: u64, computed: u64) -> Response {
    let response = storage_error(
        StatusCode::BAD_REQUEST,
        "Crc64Mismatch",
        "The CRC64 value specified in the request did not match with the CRC64 value calculated by the server.",
    );
    // The usual error body, with the two values before its end tag.
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let text = format!(
        "{}<UserSpecifiedCrc>{}</UserSpecifiedCrc><ServerCalculatedCrc>{}</ServerCalculatedCrc></Error>",
        text.strip_suffix("</Error>").unwrap_or(&text),
        crc64::header_value(sent),
        crc64::header_value(computed)
    );
    parts.headers.remove("content-length");
    Response::from_parts(parts, Body::from(text))
}

/// A created answer carries the CRC64 the server computed when the request sent one.
/// UNKNOWN: whether Azure then still answers `Content-MD5` too; here it does.
fn with_crc64(mut response: Response, crc64: Option<u64>) -> Response {
    if let Some(value) = crc64.and_then(|c| HeaderValue::from_str(&crc64::header_value(c)).ok()) {
        response.headers_mut().insert("x-ms-content-crc64", value);
    }
    response
}

async fn concatenate(parts: &[PathBuf], target: &FsPath) -> std::io::Result<u64> {
    let mut out = tokio::fs::File::create(target).await?;
    let mut size = 0;
    for part in parts {
        let mut input = tokio::fs::File::open(part).await?;
        size += tokio::io::copy(&mut input, &mut out).await?;
    }
    out.flush().await?;
    Ok(size)
}

/// Block ids from `<BlockList><Latest>…</Latest>…</BlockList>`. This blob only ever has
/// uncommitted blocks to choose from, so Latest, Uncommitted and Committed all name them.
fn parse_block_list(xml: &[u8]) -> Option<Vec<String>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut ids = Vec::new();
    let mut inside = false;
    let mut saw_root = false;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => match e.name().as_ref() {
                "BlockList" => saw_root = true,
                "Latest" | "Uncommitted" | "Committed" => inside = true,
                _ => return None,
            },
            Event::Text(t) if inside => {
                ids.push(t.as_ref().trim().to_string());
            }
            Event::End(e) if e.name().as_ref() != "BlockList" => inside = false,
            Event::Eof => break,
            _ => {}
        }
    }
    saw_root.then_some(ids)
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn metadata(headers: &HeaderMap) -> BTreeMap<String, String> {
    headers
        .iter()
        .filter_map(|(k, v)| {
            let key = k.as_str().strip_prefix("x-ms-meta-")?;
            Some((key.to_string(), v.to_str().ok()?.to_string()))
        })
        .collect()
}

/// `201 Created` as Azure answers a write: `Content-MD5` of what it received, the blob's new
/// `ETag` and `Last-Modified` (not for Put Block, which changes no blob), and
/// `x-ms-request-server-encrypted: true`, which Azure sends from service version
/// 2015-12-11 on (https://learn.microsoft.com/rest/api/storageservices/put-blob#response-headers).
fn created(md5: Option<&str>, written: Option<(String, String)>, version: &str) -> Response {
    let mut response = StatusCode::CREATED.into_response();
    let headers = response.headers_mut();
    if let Some(v) = md5.and_then(|m| HeaderValue::from_str(m).ok()) {
        headers.insert("Content-MD5", v);
    }
    if let Some((etag, modified)) = written {
        if let Ok(v) = HeaderValue::from_str(&etag) {
            headers.insert("ETag", v);
        }
        if let Ok(v) = HeaderValue::from_str(&modified) {
            headers.insert("Last-Modified", v);
        }
    }
    if version >= "2015-12-11" {
        headers.insert(
            "x-ms-request-server-encrypted",
            HeaderValue::from_static("true"),
        );
    }
    response
}

/// A new `ETag` as Azure writes them: `"0x8D` and fifteen more hex digits, quoted.
pub fn new_etag() -> String {
    let random = uuid::Uuid::new_v4().as_u128() as u64 & 0x0FFF_FFFF_FFFF_FFFF;
    format!("\"0x8D{random:015X}\"")
}

/// An HTTP date (RFC 9110 §5.6.7), as in `Date` and `Last-Modified`.
pub fn http_date(at: jiff::Timestamp) -> String {
    at.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// The headers Azure Storage puts on every answer, success or error
/// (https://learn.microsoft.com/rest/api/storageservices/common-rest-api-response-headers):
/// `x-ms-request-id`, `x-ms-version` (the version the request ran under: its
/// `x-ms-version`, else the SAS `sv`), `Date` and `Server`. A request carrying an
/// `Authorization` header is refused before anything else: the upload URL's SAS is the
/// only credential the Store hands out for its storage, and a Partner Center token sent
/// there is one leaked to another host. Azure checks a bearer token as an OAuth request
/// for `https://storage.azure.com`, and a token for another audience fails with 401
/// `InvalidAuthenticationInfo` "Audience validation failed"
/// (https://github.com/Azure/AzureStor/issues/119). UNKNOWN: whether Azure would let the
/// SAS win when both are sent; here the token is refused.
pub async fn azure_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let version = request
        .headers()
        .get("x-ms-version")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| {
            url::form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
                .find(|(k, _)| k == "sv")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_else(|| "2014-02-14".to_string());
    let mut response = if request.headers().contains_key("authorization") {
        let mut refused = storage_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationInfo",
            "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.",
        );
        refused.headers_mut().insert(
            "WWW-Authenticate",
            HeaderValue::from_static(
                "Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize resource_id=https://storage.azure.com",
            ),
        );
        refused
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    if !headers.contains_key("x-ms-request-id")
        && let Ok(v) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
    {
        headers.insert("x-ms-request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&version) {
        headers.insert("x-ms-version", v);
    }
    if let Ok(v) = HeaderValue::from_str(&http_date(jiff::Timestamp::now())) {
        headers.insert("Date", v);
    }
    headers.insert(
        "Server",
        HeaderValue::from_static("Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_lists_parse() {
        let xml = br#"<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>YQ==</Latest><Latest>Yg==</Latest></BlockList>"#;
        assert_eq!(
            parse_block_list(xml),
            Some(vec!["YQ==".into(), "Yg==".into()])
        );
        assert_eq!(parse_block_list(b"<Nope/>"), None);
        assert_eq!(parse_block_list(b"not xml <"), None);
    }

    #[test]
    fn limits_follow_the_version() {
        assert_eq!(limits("2014-02-14"), (64 * MIB, 4 * MIB));
        assert_eq!(limits("2018-11-09"), (256 * MIB, 100 * MIB));
        assert_eq!(limits("2021-08-06"), (5000 * MIB, 4000 * MIB));
    }
}

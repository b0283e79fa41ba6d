"""Builds the example package, ContosoReader_1.0.1.0_x64.msix, byte for byte the same on
every run: an MSIX-format zip with a manifest, a block map and one asset. It is not signed
(the Store signs packages itself; the simulator does not check signatures).

The identity matches the app the simulator seeds (the docs' 9NBLGGH4R315)."""
import base64, hashlib, io, zipfile, pathlib

HERE = pathlib.Path(__file__).parent
NAME = "30481DevCenterAPITester.ApiTestAppForDevbox"
PUBLISHER = "CN=Contoso Software, O=Contoso Corporation, C=US"
VERSION = "1.0.1.0"

manifest = f"""<?xml version="1.0" encoding="utf-8"?>
<Package xmlns="http://schemas.microsoft.com/appx/manifest/foundation/windows10"
         xmlns:uap="http://schemas.microsoft.com/appx/manifest/uap/windows10"
         IgnorableNamespaces="uap">
  <Identity Name="{NAME}" Publisher="{PUBLISHER}" Version="{VERSION}" ProcessorArchitecture="x64" />
  <Properties>
    <DisplayName>Contoso ebook reader</DisplayName>
    <PublisherDisplayName>Contoso Software</PublisherDisplayName>
    <Logo>Assets\\StoreLogo.png</Logo>
  </Properties>
  <Dependencies>
    <TargetDeviceFamily Name="Windows.Desktop" MinVersion="10.0.17763.0" MaxVersionTested="10.0.22621.0" />
  </Dependencies>
  <Resources>
    <Resource Language="en-us" />
  </Resources>
  <Applications>
    <Application Id="App" Executable="ContosoReader.exe" EntryPoint="Windows.FullTrustApplication">
      <uap:VisualElements DisplayName="Contoso ebook reader" Description="Reads ebooks"
        BackgroundColor="transparent" Square150x150Logo="Assets\\StoreLogo.png" Square44x44Logo="Assets\\StoreLogo.png" />
    </Application>
  </Applications>
</Package>
"""
# A 1x1 transparent PNG.
logo = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
exe = b"MZ" + b"\0" * 510  # stands in for the app's executable

def block_map(files):
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<BlockMap xmlns="http://schemas.microsoft.com/appx/2010/blockmap" HashMethod="http://www.w3.org/2001/04/xmlenc#sha256">']
    for name, data in files:
        digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
        lines.append(f'  <File Name="{name}" Size="{len(data)}" LfhSize="{30 + len(name)}"><Block Hash="{digest}" /></File>')
    lines.append("</BlockMap>")
    return "\n".join(lines).encode()

payload = [("AppxManifest.xml", manifest.encode()), ("Assets\\StoreLogo.png", logo), ("ContosoReader.exe", exe)]
content_types = b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/vnd.ms-appx.manifest+xml"/><Default Extension="png" ContentType="image/png"/><Default Extension="exe" ContentType="application/x-msdownload"/></Types>'
entries = payload + [("AppxBlockMap.xml", block_map(payload)), ("[Content_Types].xml", content_types)]

out = io.BytesIO()
with zipfile.ZipFile(out, "w") as z:
    for name, data in entries:
        info = zipfile.ZipInfo(name.replace("\\", "/"), date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        z.writestr(info, data)
(HERE / f"ContosoReader_{VERSION}_x64.msix").write_bytes(out.getvalue())
print(f"wrote ContosoReader_{VERSION}_x64.msix ({len(out.getvalue())} bytes)")

#!/usr/bin/env bash
# One-time, idempotent machine set-up for HipOA on Debian/Ubuntu (run as root or with sudo available).
#
#   * PixelMed (DICOM toolkit, BSD-3) is not on Maven Central, so we take Debian's packages and register their
#     jars in the local Maven repository under fixed coordinates (see pixelmed.version in pom.xml).
#   * GDCM's command-line tools (gdcmconv) and pydicom are test-only: they are the independent encoder and reader
#     the DICOM tests compare against; dicom3tools (dciodvfy) and highdicom are the independent IOD checker and SR
#     reader. None of them runs inside a function.
#
# Non-Debian machines: see README.md, "PixelMed on other systems".
set -euo pipefail
cd "$(dirname "$0")/.."

PIXELMED_VERSION=20220618
PIXELMED_IMAGEIO_VERSION=20200328

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
[ -f /usr/share/java/pixelmed.jar ] || need_apt+=(libpixelmed-java)
[ -f /usr/share/java/pixelmed_imageio.jar ] || need_apt+=(libpixelmed-imageio-java)
command -v gdcmconv >/dev/null || need_apt+=(libgdcm-tools)
command -v dciodvfy >/dev/null || need_apt+=(dicom3tools)
# A real PACS for the export tests and the demo: Orthanc with its DICOMweb plugin, started per test run.
[ -x /usr/sbin/Orthanc ] || need_apt+=(orthanc)
[ -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] || need_apt+=(orthanc-dicomweb)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]} from Debian" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# Maven runs outside the project so a half-written pom.xml cannot break set-up.
neutral="$(mktemp -d)"; trap 'rm -rf "$neutral"' EXIT
m2_repo="${MAVEN_LOCAL_REPO:-$HOME/.m2/repository}"
# Debian's jars name their Debian dependencies in the manifest's Class-Path (/usr/share/java/slf4j-api.jar,
# slf4j-jdk14.jar, ...): on a Maven classpath those would shadow our SLF4J 2 + log4j binding and turn the functions'
# JSON logs into java.util.logging text. Register a copy without that attribute (entries kept byte for byte).
strip_class_path() { # in out
  python3 - "$1" "$2" <<'PY'
import re, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
    for info in zin.infolist():
        data = zin.read(info.filename)
        if info.filename == "META-INF/MANIFEST.MF":
            data = re.sub(rb"Class-Path:.*\r?\n( .*\r?\n)*", b"", data)
        zout.writestr(info, data)
PY
}
register() { # file groupId artifactId version
  local dest="$m2_repo/${2//.//}/$3/$4/$3-$4.jar" jar="$neutral/$3-$4.jar"
  strip_class_path "$1" "$jar"
  if [ -f "$dest" ] && cmp -s "$jar" "$dest"; then return; fi
  echo "setup: registering $1 (without its Debian Class-Path) as $2:$3:$4" >&2
  (cd "$neutral" && mvn -q -B install:install-file -Dfile="$jar" -DgroupId="$2" -DartifactId="$3" -Dversion="$4" \
      -Dpackaging=jar -DgeneratePom=true)
}
register "$(readlink -f /usr/share/java/pixelmed.jar)" com.pixelmed pixelmed "$PIXELMED_VERSION"
register "$(readlink -f /usr/share/java/pixelmed_imageio.jar)" com.pixelmed pixelmed-imageio "$PIXELMED_IMAGEIO_VERSION"

# Test-only independent DICOM reader.
if ! python3 -c 'import pydicom, numpy' 2>/dev/null; then
  echo "setup: installing pydicom and numpy (tests only)" >&2
  python3 -m pip install -q --disable-pip-version-check 'pydicom>=2.4,<4' 'numpy>=1.24' 2>&1 | grep -v -i 'running pip as' >&2 || true
fi
# Test-only independent SR reader (TID 1500 measurement groups).
if ! python3 -c 'import highdicom' 2>/dev/null; then
  echo "setup: installing highdicom (tests only)" >&2
  python3 -m pip install -q --disable-pip-version-check 'highdicom==0.28.2' 2>&1 | grep -v -i 'running pip as' >&2 || true
fi
# Training stack (Debian's CPU torch for /usr/bin/python3, onnxruntime, pydicom): training/README.md.
bash training/setup.sh >/dev/null
echo "setup: ok" >&2

# Node.js + npm for the embedded local stack's DynamoDB (dynalite, infra/local/node; ./hipoa demo and the
# infra/local tests). Node >= 18; Debian's nodejs package is enough.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup: installing nodejs and npm from Debian" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if [ ! -d infra/local/node/node_modules/dynalite ]; then
  echo "setup: npm ci in infra/local/node (dynalite)" >&2
  (cd infra/local/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)  # errors still reach stderr
fi
echo "setup: local stack ok" >&2

# The results viewer's browser test (infra/local ViewerBrowserTest, viewer/test/viewer.test.mjs): Debian's chromium,
# driven by puppeteer-core from npm, which uses that browser and never downloads one.
if ! command -v chromium >/dev/null; then
  echo "setup: installing chromium from Debian (viewer browser test)" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if [ ! -d viewer/test/node_modules/puppeteer-core ]; then
  echo "setup: npm ci in viewer/test (puppeteer-core)" >&2
  (cd viewer/test && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)  # errors still reach stderr
fi
# A real PACS viewer for the SR test (infra/local OhifSrLabelsTest, viewer/test/ohif.test.mjs): the prebuilt OHIF
# viewer from npm, whose dist/ is served as it is (only app-config.js is replaced, by the test's own server).
ohif_version=3.13.2
if [ ! -f "viewer/test/ohif/$ohif_version/dist/index.html" ]; then
  echo "setup: @ohif/app $ohif_version from npm (PACS viewer test)" >&2
  rm -rf viewer/test/ohif && mkdir -p "viewer/test/ohif/$ohif_version"
  (cd "viewer/test/ohif/$ohif_version" && npm pack --silent "@ohif/app@$ohif_version" >/dev/null \
    && tar xzf ohif-app-*.tgz --strip-components=1 package/dist && rm ohif-app-*.tgz)
fi
echo "setup: viewer test ok" >&2

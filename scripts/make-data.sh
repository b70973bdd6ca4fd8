#!/bin/sh
# Regenerates data/ from Debian packages on a fresh Debian 12 (bookworm) machine, as root:
#
#   sh scripts/make-data.sh
#
# Installs the tools and source packages with apt-get, warns when an installed version differs from
# the one recorded in data/SOURCES.md (outputs may then differ), and runs scripts/make-data.mjs,
# which writes every file of data/ and data/manifest.json. data/SOURCES.md is hand-written.
set -eu
cd "$(dirname "$0")/.."

PACKAGES="sox libsox-fmt-all fluidsynth fluid-soundfont-gm asterisk-core-sounds-en-wav espeak-ng sonic-pi-samples fortunes"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends $PACKAGES
# The generators are plain Node scripts (built-in modules only); Debian's nodejs is enough.
command -v node >/dev/null 2>&1 || apt-get install -y --no-install-recommends nodejs

# Versions the committed data was made with (also in data/SOURCES.md).
expected="sox 14.4.2+git20190427-3.5
libsox-fmt-all:amd64 14.4.2+git20190427-3.5
fluidsynth 2.3.1-2
fluid-soundfont-gm 3.1-5.3
asterisk-core-sounds-en-wav 1.6.1-1
espeak-ng 1.51+dfsg-10+deb12u2
sonic-pi-samples 3.2.2~repack-8
fortunes 1:1.99.1-7.3"
echo "$expected" | while read -r pkg version; do
  found=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || echo none)
  if [ "$found" != "$version" ]; then
    echo "make-data: warning: $pkg is $found, the committed data used $version" >&2
  fi
done
skimage=$(apt-cache policy python3-skimage | sed -n 's/^ *Candidate: //p')
[ "$skimage" = "0.19.3-8" ] || echo "make-data: warning: python3-skimage candidate is $skimage, the committed data used 0.19.3-8" >&2

rm -rf data.new
node scripts/make-data.mjs data.new
cp data/SOURCES.md data.new/SOURCES.md 2>/dev/null || true
# The corpora in data/corpus/ have their own scripts (scripts/make-corpus-*.sh) and manifests: kept as they are.
if [ -d data/corpus ]; then mv data/corpus data.new/corpus; fi
rm -rf data
mv data.new data
echo "make-data: wrote data/ ($(du -sh data | cut -f1)); compare data/manifest.json with git diff"

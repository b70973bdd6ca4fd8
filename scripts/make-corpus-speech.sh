#!/bin/sh
# Regenerates data/corpus/speech/ (the speech + chime separation corpus) from Debian packages on a
# Debian 12 (bookworm) machine, as root:
#
#   sh scripts/make-corpus-speech.sh
#
# Installs the tools and voices with apt-get, warns when an installed version differs from the one
# recorded in data/corpus/speech/SOURCES.md (the audio may then differ), and runs
# scripts/make-corpus-speech.mjs, which writes every file and the manifest (sha256, split of every
# file and item). SOURCES.md is hand-written and kept. A rerun writes byte-identical files.
set -eu
cd "$(dirname "$0")/.."

PACKAGES="sox libsox-fmt-all fluidsynth fluid-soundfont-gm festival festvox-kallpc16k festvox-kdlpc16k asterisk-core-sounds-en-wav asterisk-core-sounds-es-wav asterisk-core-sounds-fr-wav asterisk-core-sounds-it-wav asterisk-core-sounds-ru-wav"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends $PACKAGES
command -v node >/dev/null 2>&1 || apt-get install -y --no-install-recommends nodejs

expected="sox 14.4.2+git20190427-3.5
fluidsynth 2.3.1-2
fluid-soundfont-gm 3.1-5.3
festival 1:2.5.0-9
festvox-kallpc16k 2.4-1
festvox-kdlpc16k 1.4.0-6.1
asterisk-core-sounds-en-wav 1.6.1-1
asterisk-core-sounds-es-wav 1.6.1-1
asterisk-core-sounds-fr-wav 1.6.1-1
asterisk-core-sounds-it-wav 1.6.1-1
asterisk-core-sounds-ru-wav 1.6.1-1"
echo "$expected" | while read -r pkg version; do
  found=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || echo none)
  if [ "$found" != "$version" ]; then
    echo "make-corpus-speech: warning: $pkg is $found, the committed corpus used $version" >&2
  fi
done

node scripts/make-corpus-speech.mjs data/corpus/speech
echo "make-corpus-speech: wrote data/corpus/speech/ ($(du -sh data/corpus/speech | cut -f1)); compare its manifest.json with git diff"

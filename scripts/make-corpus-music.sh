#!/bin/sh
# Regenerates data/corpus/music/ (the transcription corpus) from Debian's soundfonts on a Debian 12
# (bookworm) machine, as root:
#
#   sh scripts/make-corpus-music.sh
#
# Installs fluidsynth, sox and the six soundfont packages with apt-get, warns when an installed
# version differs from the one the committed corpus was made with (the audio may then differ; the
# note truth does not), and runs scripts/make-corpus-music.mjs, which writes the pieces and
# data/corpus/music/manifest.json (split, soundfont, pitch set and sha256 of every file).
set -eu
cd "$(dirname "$0")/.."

PACKAGES="sox fluidsynth fluid-soundfont-gm fluidr3mono-gm-soundfont musescore-general-soundfont-small timgm6mb-soundfont csound-soundfont opl3-soundfont"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends $PACKAGES
command -v node >/dev/null 2>&1 || apt-get install -y --no-install-recommends nodejs

expected="sox 14.4.2+git20190427-3.5
fluidsynth 2.3.1-2
fluid-soundfont-gm 3.1-5.3
fluidr3mono-gm-soundfont 2.315-7
musescore-general-soundfont-small 0.2.1-1
timgm6mb-soundfont 1.3-5
csound-soundfont 1:6.18.1+dfsg-1
opl3-soundfont 1.0-4"
echo "$expected" | while read -r pkg version; do
  found=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || echo none)
  if [ "$found" != "$version" ]; then
    echo "make-corpus-music: warning: $pkg is $found, the committed corpus used $version" >&2
  fi
done

node scripts/make-corpus-music.mjs data/corpus/music
echo "make-corpus-music: wrote data/corpus/music ($(du -sh data/corpus/music | cut -f1)); compare its manifest.json with git diff"

#!/usr/bin/env bash
# Regenerates the small, real media files under test/fixtures/media/ with ffmpeg (and espeak-ng
# for speech when available). The outputs are committed; CI does not run this script.
# Usage: scripts/make-fixtures.sh   (needs: ffmpeg; optional: espeak-ng)
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=test/fixtures/media
mkdir -p "$OUT"
FF=(ffmpeg -hide_banner -loglevel error -y)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Images -----------------------------------------------------------------------------------------
# portrait.jpg: 512x768 test pattern, valid for both KIE models and Kling (min side 300, ratio ok).
"${FF[@]}" -f lavfi -i "testsrc2=size=512x768:rate=1" -frames:v 1 -q:v 8 "$OUT/portrait.jpg"
# small.jpg: 200x200, below Kling's minimum side.
"${FF[@]}" -f lavfi -i "testsrc=size=200x200:rate=1" -frames:v 1 -q:v 8 "$OUT/small.jpg"
# wide.png: 1600x400 (4:1), outside Kling's aspect-ratio range. Flat gradient keeps it small.
"${FF[@]}" -f lavfi -i "gradients=size=1600x400:rate=1:seed=7" -frames:v 1 -pix_fmt rgb24 \
  -compression_level 9 "$OUT/wide.png"

# Audio ------------------------------------------------------------------------------------------
# Speech source: espeak-ng when installed, else a sine tone.
speech() { # $1 = seconds, $2 = output wav
  local secs=$1 out=$2
  if command -v espeak-ng >/dev/null 2>&1; then
    local text="Hello, this is a short test recording for the avatar video bot."
    local i
    : > "$TMP/text.txt"
    for ((i = 0; i < (secs + 3) / 4; i++)); do printf '%s ' "$text" >> "$TMP/text.txt"; done
    espeak-ng -s 150 -f "$TMP/text.txt" -w "$TMP/raw.wav"
    "${FF[@]}" -i "$TMP/raw.wav" -af "apad" -t "$secs" -ac 1 -ar 16000 "$out"
  else
    "${FF[@]}" -f lavfi -i "sine=frequency=440:sample_rate=16000:duration=$secs" -ac 1 "$out"
  fi
}
speech 3 "$TMP/voice3.wav"
speech 20 "$TMP/voice20.wav"
speech 4 "$TMP/voice4.wav"
# voice.ogg: ~3 s OGG/Opus mono (what a Telegram voice message looks like).
"${FF[@]}" -i "$TMP/voice3.wav" -c:a libopus -b:a 16k -ac 1 "$OUT/voice.ogg"
# long-voice.ogg: ~20 s OGG/Opus, longer than the 15 s KIE limit.
"${FF[@]}" -i "$TMP/voice20.wav" -c:a libopus -b:a 12k -ac 1 "$OUT/long-voice.ogg"
# speech.mp3: ~4 s MP3.
"${FF[@]}" -i "$TMP/voice4.wav" -c:a libmp3lame -b:a 32k -ac 1 "$OUT/speech.mp3"

# Video ------------------------------------------------------------------------------------------
# result.mp4: ~2 s H.264 320x240 with faststart, used as the fake providers' result video.
"${FF[@]}" -f lavfi -i "testsrc=size=320x240:rate=15:duration=2" \
  -c:v libx264 -preset veryfast -crf 35 -pix_fmt yuv420p -movflags +faststart "$OUT/result.mp4"

# Not media ---------------------------------------------------------------------------------------
printf 'This is plain text, not an image, audio or video file.\n' > "$OUT/not-media.txt"

du -ch "$OUT"/* | sort -h

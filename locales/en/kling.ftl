# Kling official suite (issue 11): messages for the issue codes of src/providers/kling/suite.ts,
# src/media/probe.ts and src/server/media-hosting.ts, rendered as `issue-<code>`.
issue-unknown-model = this model is not available for this task
issue-invalid-sound = sound can only be on or off
issue-sound-pro-only = sound needs the Pro mode with this model
issue-end-frame-not-supported = this model cannot use an end frame
issue-end-frame-pro-only = an end frame needs the Pro mode with this model
issue-end-frame-five-seconds-only = an end frame works only with 5-second videos on this model
issue-end-frame-silent-only = an end frame works only without sound on this model
issue-cfg-scale-not-supported = this model has no prompt strength setting
issue-invalid-cfg-scale = the prompt strength must be between 0 and 1
issue-audio-required = a voice message or an audio file is required
issue-audio-unreadable = I could not read this audio. Please send a voice message or an MP3.
issue-source-video-required = a video made here is required
issue-source-video-expired = This video can no longer be used: the provider deletes videos after 30 days.
issue-extend-model-not-supported = Only videos made by Kling 1.x models can be extended.
issue-extend-too-long = This video is already close to 3 minutes, the longest an extended video can be.
issue-video-required = a video is required
issue-video-too-short = The video is too short: it must last at least { $min } s.
issue-video-too-long = The video is too long: it may last at most { $max } s.
issue-video-too-large = The video is over { $maxMb } MB.
issue-video-resolution = The video size is not supported: each side must be between { $min } and { $max } px.
issue-video-unreadable = I could not read this video. Please send an MP4 or MOV file.
issue-url-hosting-unavailable = This task is not available right now. Please try again later.
issue-images-count = Please send { $min } to { $max } photos.
issue-invalid-orientation = this orientation is not supported
issue-face-window-too-short = The face is on screen for less than 2 seconds; please send another video.
issue-no-face = I could not find a face in this video. Please send a video with a clearly visible face.
issue-input-too-large = This file is too large for this task.

# Tasks of the Kling suite (menu buttons and /commands).
menu-video_extend = ➕ Extend a video
menu-video_lipsync = 👄 Lip-sync a video
menu-multi_image2video = 🖼🖼 Photos to video
menu-motion_control = 🕺 Motion transfer
issue-images-not-accepted = this model does not take several photos
issue-video-not-accepted = this model does not take a video
issue-source-video-not-accepted = this model cannot continue a video made here

# The inputs of the new tasks.
kling-ask-photos = Send 2 to 4 photos (JPEG or PNG, each side at least 300 px), then tap Done. (/cancel to stop)
kling-photo-added = Photo { $count } added.
kling-photos-need-more = Please send at least { $min } photos.
kling-photos-full = That is { $max } photos, the most this task takes.
kling-photos-done = ✅ Done
kling-ask-motion-photo = Send a photo of the character that should move (JPEG or PNG). (/cancel to stop)
kling-ask-motion-video = Now send the reference video whose motion the character copies (MP4 or MOV, 3–10 s).
kling-ask-lipsync-video = Send the video to lip-sync (MP4 or MOV, 2–60 s, a clearly visible face). (/cancel to stop)
kling-ask-lipsync-voice = Now send the voice: a voice note or an audio file (2–60 s).
kling-need-video = Please send a video (a video message or a video file).
kling-ask-face = There are several faces in this video. Which one should speak?
kling-face-option = Face { $index } ({ $from }–{ $to } s)
kling-extend-ask-prompt = Describe how the video should go on, or tap Skip.
catalog-refused = { $text }

# After delivery (buttons under a video and in /history).
after-again = 🔁 Again
after-extend = ➕ Extend
after-talk = 🗣 Make it talk
after-extend-expired = This video can no longer be extended: the provider deletes videos after 30 days.
after-talk-expired = This video can no longer be used: the provider deletes videos after 30 days.
after-not-available = This is not available for this video.

command-multi_image2video = Video from several photos
command-motion_control = Move a photo like a video
command-video_lipsync = Make a video speak a voice

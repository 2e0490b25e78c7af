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

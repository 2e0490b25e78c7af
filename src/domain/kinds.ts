/** The kinds of video the bot makes; every flow, model and provider names one of them. */
export type GenerationKind = 'lipsync' | 'text2video' | 'image2video' | 'video_extend' | 'video_lipsync' | 'multi_image2video' | 'motion_control';

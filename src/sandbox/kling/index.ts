export {
  FakeKling,
  FAKE_KLING_DEFAULT_MODELS,
  type FakeKlingCallback,
  type FakeKlingFault,
  type FakeKlingKind,
  type FakeKlingLifecycle,
  type FakeKlingOptions,
  type FakeKlingOutcome,
  type FakeKlingRequest,
  type FakeKlingRoute,
  type FakeKlingStatus,
  type FakeKlingTask,
} from './server.js';
export { fakeImageInfo, makeJpegHeader, makePng } from './image.js';
export type { FakeKlingFace, FakeKlingSession, FakeKlingVideo } from './server.js';
export { FAKE_KLING_MATRIX, mp4Info, sniffAudio } from './suite.js';

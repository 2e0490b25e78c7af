/**
 * Kling image input rules (jpg/jpeg/png, ≤ 10 MB, each side ≥ 300 px, aspect ratio between
 * 1:2.5 and 2.5:1) and a tiny JPEG/PNG header reader for when the pixel size is not known.
 */
import type { ValidationIssue } from '../domain/validation.js';

export const KLING_MAX_IMAGE_BYTES = 10 * 1024 * 1024;
export const KLING_MIN_IMAGE_SIDE = 300;
export const KLING_MAX_IMAGE_RATIO = 2.5;
export const KLING_IMAGE_MIMES = ['image/jpeg', 'image/png'] as const;

export type ImageType = 'jpeg' | 'png';

export function sniffImageType(bytes: Uint8Array): ImageType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'png';
  return null;
}

/** Reads width/height from a PNG IHDR or a JPEG SOFn segment; null when it cannot. */
export function readImageSize(bytes: Uint8Array): { width: number; height: number } | null {
  const type = sniffImageType(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === 'png') {
    // Signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4).
    if (bytes.length < 24) return null;
    if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (type === 'jpeg') {
    let offset = 2;
    while (offset + 4 <= bytes.length) {
      if (bytes[offset] !== 0xff) return null;
      const marker = bytes[offset + 1]!;
      if (marker === 0xff) {
        offset += 1; // fill byte
        continue;
      }
      // Standalone markers without a length.
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        offset += 2;
        continue;
      }
      if (marker === 0xd9 || marker === 0xda) return null; // EOI / start of scan before any SOF
      const length = view.getUint16(offset + 2);
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) {
        if (offset + 9 > bytes.length) return null;
        return { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
      }
      offset += 2 + length;
    }
  }
  return null;
}

/** i18n-style issue codes for an image that Kling would reject; empty when it is fine. */
export function checkKlingImage(image: { mime: string; size: number; width?: number | undefined; height?: number | undefined }): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!(KLING_IMAGE_MIMES as readonly string[]).includes(image.mime.toLowerCase())) {
    issues.push({ code: 'image-wrong-type', vars: { allowed: 'jpg, png' } });
  }
  if (image.size > KLING_MAX_IMAGE_BYTES) {
    issues.push({ code: 'image-too-large', vars: { maxMb: KLING_MAX_IMAGE_BYTES / 1024 / 1024 } });
  }
  const { width, height } = image;
  if (width !== undefined && height !== undefined) {
    if (Math.min(width, height) < KLING_MIN_IMAGE_SIDE) {
      issues.push({ code: 'image-too-small', vars: { minSide: KLING_MIN_IMAGE_SIDE } });
    }
    const ratio = width / height;
    if (!(ratio >= 1 / KLING_MAX_IMAGE_RATIO && ratio <= KLING_MAX_IMAGE_RATIO)) {
      issues.push({ code: 'image-bad-ratio', vars: { min: '1:2.5', max: '2.5:1' } });
    }
  }
  return issues;
}

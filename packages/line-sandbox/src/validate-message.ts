import { type ErrorDetail, validationError } from './line-error.ts';
import {
  isObject,
  jsonBytes,
  type Problems,
  requireArray,
  requireHttpsUrl,
  requireNumber,
  requireObject,
  requireString,
} from './validate.ts';
import { validateAction, validateCommonFields } from './validate-action.ts';
import { validateTemplate } from './validate-template.ts';

export const MAX_MESSAGES = 5;
export const MAX_TEXT_LENGTH = 5000;
/** Flex JSON size limits. LINE writes "30 KB" and "50 KB"; the sandbox reads them as KiB of UTF-8 JSON. */
export const MAX_BUBBLE_BYTES = 30 * 1024;
export const MAX_CAROUSEL_BYTES = 50 * 1024;

type MessageCheck = (p: Problems, m: Record<string, unknown>, at: string) => void;

const checks: Record<string, MessageCheck> = {
  text(p, m, at) {
    requireString(p, m.text, `${at}.text`, 1, MAX_TEXT_LENGTH);
    if (m.emojis !== undefined) requireArray(p, m.emojis, `${at}.emojis`, 0, 20);
  },
  textV2(p, m, at) {
    requireString(p, m.text, `${at}.text`, 1, MAX_TEXT_LENGTH);
    if (m.substitution !== undefined && !isObject(m.substitution))
      p.add(`${at}.substitution`, 'must be an object');
  },
  sticker(p, m, at) {
    requireString(p, m.packageId, `${at}.packageId`, 1, 100);
    requireString(p, m.stickerId, `${at}.stickerId`, 1, 100);
  },
  image(p, m, at) {
    requireHttpsUrl(p, m.originalContentUrl, `${at}.originalContentUrl`);
    requireHttpsUrl(p, m.previewImageUrl, `${at}.previewImageUrl`);
  },
  video(p, m, at) {
    requireHttpsUrl(p, m.originalContentUrl, `${at}.originalContentUrl`);
    requireHttpsUrl(p, m.previewImageUrl, `${at}.previewImageUrl`);
  },
  audio(p, m, at) {
    requireHttpsUrl(p, m.originalContentUrl, `${at}.originalContentUrl`);
    requireNumber(p, m.duration, `${at}.duration`, 1);
  },
  location(p, m, at) {
    requireString(p, m.title, `${at}.title`, 1, 100);
    requireString(p, m.address, `${at}.address`, 1, 100);
    requireNumber(p, m.latitude, `${at}.latitude`, -90, 90);
    requireNumber(p, m.longitude, `${at}.longitude`, -180, 180);
  },
  imagemap(p, m, at) {
    requireHttpsUrl(p, m.baseUrl, `${at}.baseUrl`);
    requireString(p, m.altText, `${at}.altText`, 1, 1500);
    if (requireObject(p, m.baseSize, `${at}.baseSize`)) {
      requireNumber(p, m.baseSize.width, `${at}.baseSize.width`, 1040, 1040);
      requireNumber(p, m.baseSize.height, `${at}.baseSize.height`, 1);
    }
    if (requireArray(p, m.actions, `${at}.actions`, m.video === undefined ? 1 : 0, 50)) {
      m.actions.forEach((a, i) => {
        if (isObject(a) && (a.type === 'uri' || a.type === 'message')) {
          const key = a.type === 'uri' ? 'linkUri' : 'text';
          requireString(p, a[key], `${at}.actions[${i}].${key}`, 1, a.type === 'uri' ? 1000 : 400);
        } else p.add(`${at}.actions[${i}].type`, 'must be uri or message');
      });
    }
  },
  template(p, m, at) {
    requireString(p, m.altText, `${at}.altText`, 1, 400);
    validateTemplate(p, m.template, `${at}.template`);
  },
  flex(p, m, at) {
    requireString(p, m.altText, `${at}.altText`, 1, 1500);
    validateFlexContainer(p, m.contents, `${at}.contents`);
  },
  coupon(p, m, at) {
    requireString(p, m.couponId, `${at}.couponId`, 1, 100);
  },
};

function validateFlexContainer(p: Problems, contents: unknown, at: string): void {
  if (!requireObject(p, contents, at)) return;
  if (contents.type === 'bubble') {
    if (jsonBytes(contents) > MAX_BUBBLE_BYTES)
      p.add(at, `Size of a bubble must be at most ${MAX_BUBBLE_BYTES} bytes`);
  } else if (contents.type === 'carousel') {
    if (!requireArray(p, contents.contents, `${at}.contents`, 1, 12)) return;
    contents.contents.forEach((bubble, i) => {
      if (!isObject(bubble) || bubble.type !== 'bubble') p.add(`${at}.contents[${i}].type`, 'must be bubble');
      else if (jsonBytes(bubble) > MAX_BUBBLE_BYTES) {
        p.add(`${at}.contents[${i}]`, `Size of a bubble must be at most ${MAX_BUBBLE_BYTES} bytes`);
      }
    });
    if (jsonBytes(contents) > MAX_CAROUSEL_BYTES) {
      p.add(at, `Size of a carousel must be at most ${MAX_CAROUSEL_BYTES} bytes`);
    }
  } else p.add(`${at}.type`, 'must be bubble or carousel');
}

/** Checks one message object; problems are added under `at` (e.g. `messages[2]`). */
export function validateMessage(p: Problems, message: unknown, at: string): void {
  if (!requireObject(p, message, at)) return;
  const type = message.type;
  const check = typeof type === 'string' && Object.hasOwn(checks, type) ? checks[type] : undefined;
  if (check === undefined) {
    p.add(
      `${at}.type`,
      type === undefined ? 'must be specified' : `unsupported message type: ${String(type)}`,
    );
    return;
  }
  check(p, message, at);
  validateCommonFields(p, message, at);
}

/** Checks `messages` (1..5 objects). */
export function validateMessageList(p: Problems, messages: unknown, at = 'messages'): void {
  if (!requireArray(p, messages, at, 1, MAX_MESSAGES)) return;
  messages.forEach((m, i) => {
    validateMessage(p, m, `${at}[${i}]`);
  });
}

/** Throws LINE's 400 body listing every problem, if there are any. */
export function throwIfProblems(p: Problems): void {
  if (!p.ok) throw validationError(p.details as ErrorDetail[]);
}

export { validateAction };

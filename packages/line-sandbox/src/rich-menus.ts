import { imageSize } from './image-size.ts';
import { LineApiError, NOT_FOUND_MESSAGE } from './line-error.ts';
import { type Random, randomHex } from './random.ts';
import { Problems, requireArray, requireNumber, requireObject, requireString } from './validate.ts';
import { validateAction } from './validate-action.ts';
import { throwIfProblems } from './validate-message.ts';

/** A rich menu as created through the API, plus its image once uploaded. */
export interface RichMenu {
  richMenuId: string;
  size: { width: number; height: number };
  selected: boolean;
  name: string;
  chatBarText: string;
  areas: unknown[];
  image: { contentType: string; data: Buffer } | undefined;
}

const MAX_MENUS = 1000;
const MAX_ALIASES = 1000;
const MAX_IMAGE_BYTES = 1024 * 1024;
const ALIAS_PATTERN = /^[a-z0-9_-]{1,32}$/;

/** Checks a rich-menu object as `POST /v2/bot/richmenu` and `/validate` do; returns it typed. */
export function validateRichMenu(body: unknown): Omit<RichMenu, 'richMenuId' | 'image'> {
  const p = new Problems();
  if (!requireObject(p, body, 'body')) throwIfProblems(p);
  const b = body as Record<string, unknown>;
  let width = 0;
  let height = 0;
  if (requireObject(p, b.size, 'size')) {
    const ok =
      requireNumber(p, b.size.width, 'size.width', 800, 2500) &&
      requireNumber(p, b.size.height, 'size.height', 250);
    width = Number(b.size.width);
    height = Number(b.size.height);
    if (ok && width / height < 1.45) p.add('size', 'width / height must be at least 1.45');
  }
  if (typeof b.selected !== 'boolean') p.add('selected', 'must be specified as a boolean');
  requireString(p, b.name, 'name', 1, 300);
  requireString(p, b.chatBarText, 'chatBarText', 1, 14);
  if (requireArray(p, b.areas, 'areas', 0, 20)) {
    b.areas.forEach((area, i) => {
      if (!requireObject(p, area, `areas[${i}]`)) return;
      if (requireObject(p, area.bounds, `areas[${i}].bounds`)) {
        const { x, y, width: w, height: h } = area.bounds as Record<string, unknown>;
        const inside =
          requireNumber(p, x, `areas[${i}].bounds.x`, 0) &&
          requireNumber(p, y, `areas[${i}].bounds.y`, 0) &&
          requireNumber(p, w, `areas[${i}].bounds.width`, 1) &&
          requireNumber(p, h, `areas[${i}].bounds.height`, 1);
        if (inside && width > 0 && (Number(x) + Number(w) > width || Number(y) + Number(h) > height)) {
          p.add(`areas[${i}].bounds`, 'must lie inside the rich menu size');
        }
      }
      validateAction(p, area.action, `areas[${i}].action`);
    });
  }
  throwIfProblems(p);
  return {
    size: { width, height },
    selected: b.selected as boolean,
    name: b.name as string,
    chatBarText: b.chatBarText as string,
    areas: b.areas as unknown[],
  };
}

function notFound(): LineApiError {
  return new LineApiError('not-found', NOT_FOUND_MESSAGE);
}

/** Rich menus, their images, the default menu, per-user links and aliases for one channel. */
export class RichMenuStore {
  readonly menus = new Map<string, RichMenu>();
  readonly userLinks = new Map<string, string>();
  readonly aliases = new Map<string, string>();
  defaultMenuId: string | undefined;
  readonly #random: Random;

  constructor(random: Random) {
    this.#random = random;
  }

  create(body: unknown): { richMenuId: string } {
    const fields = validateRichMenu(body);
    if (this.menus.size >= MAX_MENUS)
      throw new LineApiError('bad-request', 'The maximum number of rich menus (1,000) has been reached');
    const richMenuId = `richmenu-${randomHex(this.#random, 32)}`;
    this.menus.set(richMenuId, { richMenuId, ...fields, image: undefined });
    return { richMenuId };
  }

  get(richMenuId: string): RichMenu {
    const menu = this.menus.get(richMenuId);
    if (menu === undefined) throw notFound();
    return menu;
  }

  /** The menu body as LINE returns it (without the image). */
  body(menu: RichMenu): Record<string, unknown> {
    const { image: _image, ...rest } = menu;
    return rest;
  }

  delete(richMenuId: string): void {
    if (!this.menus.delete(richMenuId)) throw notFound();
    if (this.defaultMenuId === richMenuId) this.defaultMenuId = undefined;
    for (const [userId, id] of this.userLinks) if (id === richMenuId) this.userLinks.delete(userId);
    for (const [alias, id] of this.aliases) if (id === richMenuId) this.aliases.delete(alias);
  }

  /** The image may be uploaded once, must be JPEG or PNG, ≤1 MB, and match the menu's size. */
  setImage(richMenuId: string, contentType: string | undefined, data: Buffer): void {
    const menu = this.get(richMenuId);
    const type = (contentType ?? '').split(';')[0]?.trim();
    if (type !== 'image/jpeg' && type !== 'image/png')
      throw new LineApiError('unsupported-media-type', 'Unsupported Media Type');
    if (data.length > MAX_IMAGE_BYTES)
      throw new LineApiError('payload-too-large', 'Request Entity Too Large');
    if (menu.image !== undefined)
      throw new LineApiError('bad-request', 'An image has already been uploaded to the richmenu');
    const size = imageSize(data);
    if (size === undefined)
      throw new LineApiError('bad-request', 'The image could not be read as JPEG or PNG');
    if (size.width !== menu.size.width || size.height !== menu.size.height) {
      throw new LineApiError(
        'bad-request',
        `Image size (${size.width}x${size.height}) does not match the rich menu size`,
      );
    }
    menu.image = { contentType: type, data };
  }

  /** A menu that can be shown: it exists and has its image. */
  requireApplicable(richMenuId: string): RichMenu {
    const menu = this.get(richMenuId);
    if (menu.image === undefined)
      throw new LineApiError('bad-request', 'must upload richmenu image before applying it to user');
    return menu;
  }

  link(userIds: readonly string[], richMenuId: string): void {
    this.requireApplicable(richMenuId);
    for (const userId of userIds) this.userLinks.set(userId, richMenuId);
  }

  unlink(userIds: readonly string[]): void {
    for (const userId of userIds) this.userLinks.delete(userId);
  }

  /** The menu a user sees: their own link first, then the default. */
  effectiveMenuId(userId: string): string | undefined {
    return this.userLinks.get(userId) ?? this.defaultMenuId;
  }

  createAlias(richMenuAliasId: unknown, richMenuId: unknown): void {
    const p = new Problems();
    if (
      requireString(p, richMenuAliasId, 'richMenuAliasId', 1, 32) &&
      !ALIAS_PATTERN.test(richMenuAliasId as string)
    ) {
      p.add('richMenuAliasId', 'must match [a-z0-9_-]{1,32}');
    }
    requireString(p, richMenuId, 'richMenuId', 1, 100);
    throwIfProblems(p);
    if (this.aliases.has(richMenuAliasId as string))
      throw new LineApiError('bad-request', 'conflict richmenu alias id');
    if (this.aliases.size >= MAX_ALIASES)
      throw new LineApiError('bad-request', 'The maximum number of aliases (1,000) has been reached');
    this.requireApplicable(richMenuId as string);
    this.aliases.set(richMenuAliasId as string, richMenuId as string);
  }

  updateAlias(richMenuAliasId: string, richMenuId: unknown): void {
    if (!this.aliases.has(richMenuAliasId)) throw notFound();
    if (typeof richMenuId !== 'string') throw new LineApiError('bad-request', 'richMenuId must be specified');
    this.requireApplicable(richMenuId);
    this.aliases.set(richMenuAliasId, richMenuId);
  }

  getAlias(richMenuAliasId: string): { richMenuAliasId: string; richMenuId: string } {
    const richMenuId = this.aliases.get(richMenuAliasId);
    if (richMenuId === undefined) throw notFound();
    return { richMenuAliasId, richMenuId };
  }

  deleteAlias(richMenuAliasId: string): void {
    if (!this.aliases.delete(richMenuAliasId)) throw notFound();
  }

  validate(body: unknown): void {
    validateRichMenu(body);
  }

  /** Checks `POST /v2/bot/richmenu/batch` operations: link (from → to), unlink (from), unlinkAll. */
  validateBatch(body: unknown): Record<string, unknown>[] {
    const p = new Problems();
    if (!requireObject(p, body, 'body') || !requireArray(p, body.operations, 'operations', 1, 1000))
      throwIfProblems(p);
    const ops = (body as { operations: unknown[] }).operations;
    ops.forEach((op, i) => {
      if (!requireObject(p, op, `operations[${i}]`)) return;
      if (op.type === 'link' || op.type === 'unlink')
        requireString(p, op.from, `operations[${i}].from`, 1, 100);
      if (op.type === 'link') requireString(p, op.to, `operations[${i}].to`, 1, 100);
      if (!['link', 'unlink', 'unlinkAll'].includes(String(op.type)))
        p.add(`operations[${i}].type`, 'must be link, unlink or unlinkAll');
    });
    throwIfProblems(p);
    return ops as Record<string, unknown>[];
  }

  /** Applies a batch to every user linked through the API, at once. */
  batch(body: unknown): void {
    for (const o of this.validateBatch(body)) {
      for (const [userId, id] of this.userLinks) {
        if (o.type === 'unlinkAll' || (o.type === 'unlink' && id === o.from)) this.userLinks.delete(userId);
        else if (o.type === 'link' && id === o.from) this.userLinks.set(userId, String(o.to));
      }
    }
  }

  clear(): void {
    this.menus.clear();
    this.userLinks.clear();
    this.aliases.clear();
    this.defaultMenuId = undefined;
  }
}

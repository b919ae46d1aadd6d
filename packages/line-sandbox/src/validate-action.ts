import { isObject, type Problems, requireHttpsUrl, requireString } from './validate.ts';

const ACTION_TYPES = new Set([
  'postback',
  'message',
  'uri',
  'datetimepicker',
  'camera',
  'cameraRoll',
  'location',
  'richmenuswitch',
  'clipboard',
]);

/** Checks an action object (buttons, quick replies, imagemaps, rich-menu areas). */
export function validateAction(p: Problems, action: unknown, property: string, labelRequired = false): void {
  if (!isObject(action)) {
    p.add(property, action === undefined ? 'must be specified' : 'must be an object');
    return;
  }
  const type = action.type;
  if (typeof type !== 'string' || !ACTION_TYPES.has(type)) {
    p.add(`${property}.type`, type === undefined ? 'must be specified' : 'unsupported action type');
    return;
  }
  if (labelRequired || action.label !== undefined) requireString(p, action.label, `${property}.label`, 1, 20);
  switch (type) {
    case 'postback':
      requireString(p, action.data, `${property}.data`, 1, 300);
      break;
    case 'message':
      requireString(p, action.text, `${property}.text`, 1, 300);
      break;
    case 'uri':
      requireString(p, action.uri, `${property}.uri`, 1, 1000);
      break;
    case 'datetimepicker':
      requireString(p, action.data, `${property}.data`, 1, 300);
      if (!['date', 'time', 'datetime'].includes(String(action.mode)))
        p.add(`${property}.mode`, 'must be date, time or datetime');
      break;
    case 'richmenuswitch':
      requireString(p, action.richMenuAliasId, `${property}.richMenuAliasId`, 1, 32);
      requireString(p, action.data, `${property}.data`, 1, 300);
      break;
    case 'clipboard':
      requireString(p, action.clipboardText, `${property}.clipboardText`, 1, 1000);
      break;
    default:
      break;
  }
}

/** `quickReply.items` (≤13, each an action button) and `sender` (name ≤20, HTTPS icon). */
export function validateCommonFields(p: Problems, message: Record<string, unknown>, property: string): void {
  const quickReply = message.quickReply;
  if (quickReply !== undefined) {
    const items = isObject(quickReply) ? quickReply.items : undefined;
    if (!Array.isArray(items)) p.add(`${property}.quickReply.items`, 'must be specified');
    else if (items.length < 1 || items.length > 13)
      p.add(`${property}.quickReply.items`, 'Size must be between 1 and 13');
    else
      items.forEach((item, i) => {
        validateAction(
          p,
          isObject(item) ? item.action : undefined,
          `${property}.quickReply.items[${i}].action`,
        );
      });
  }
  const sender = message.sender;
  if (sender !== undefined) {
    if (!isObject(sender)) p.add(`${property}.sender`, 'must be an object');
    else {
      if (sender.name !== undefined) requireString(p, sender.name, `${property}.sender.name`, 1, 20);
      if (sender.iconUrl !== undefined)
        requireHttpsUrl(p, sender.iconUrl, `${property}.sender.iconUrl`, 2000);
    }
  }
}

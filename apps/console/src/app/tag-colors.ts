// Solid tag colours with white text at 4.5:1 or more: Ant Design's preset light tags (gold, green,
// magenta) put pale text on pale ground, which axe rightly flags.
export const TAG_COLORS = {
  gold: '#8a5a00',
  green: '#2f6b16',
  magenta: '#9e2a5c',
} as const;

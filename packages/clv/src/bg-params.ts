/** Parameters of BG/NBD and MBG/NBD: purchase rate λ ~ Gamma(r, α); dropout p ~ Beta(a, b). */
export interface BgParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

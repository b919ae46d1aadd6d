/** ln B, the hypergeometric ₂F₁ and trigamma from @stdlib, for predictions and the other models. */
import betalnImpl from '@stdlib/math-base-special-betaln';
import hyp2f1Impl from '@stdlib/math-base-special-hyp2f1';
import trigammaImpl from '@stdlib/math-base-special-trigamma';

export const betaln: (a: number, b: number) => number = betalnImpl;
export const trigamma: (x: number) => number = trigammaImpl;
export const hyp2f1: (a: number, b: number, c: number, z: number) => number = hyp2f1Impl;

// GLM families and links, H2O's names: the mean as a function of the linear predictor
// (inverse link), its derivative, the variance function and the per-row deviance. The
// IRLS task, the gradient task and the metrics read them through the small numeric codes
// below so that hot loops switch on an integer, not a string.

import { type Distribution, deviance, type LossParams } from "../loss.ts";

export const FAMILIES = ["AUTO", "gaussian", "binomial", "quasibinomial", "multinomial", "poisson", "gamma", "tweedie"] as const;
export type Family = Exclude<(typeof FAMILIES)[number], "AUTO">;

export const LINKS = ["family_default", "identity", "logit", "log", "inverse", "tweedie", "multinomial"] as const;
export type Link = Exclude<(typeof LINKS)[number], "family_default">;

/** H2O's default link of each family. */
export const DEFAULT_LINK: Record<Family, Link> = {
  gaussian: "identity",
  binomial: "logit",
  quasibinomial: "logit",
  multinomial: "multinomial",
  poisson: "log",
  gamma: "inverse",
  tweedie: "tweedie",
};

/** Links each family accepts (as H2O does). */
export const ALLOWED_LINKS: Record<Family, readonly Link[]> = {
  gaussian: ["identity", "log", "inverse"],
  binomial: ["logit"],
  quasibinomial: ["logit"],
  multinomial: ["multinomial"],
  poisson: ["log", "identity"],
  gamma: ["inverse", "log", "identity"],
  tweedie: ["tweedie"],
};

/** What the row loops need of a family and link, as plain numbers. */
export interface FamilyArgs {
  /** 0 gaussian, 1 binomial/quasibinomial, 2 poisson, 3 gamma, 4 tweedie. */
  readonly variance: number;
  /** 0 identity, 1 logit, 2 log, 3 inverse, 4 power (tweedie link). */
  readonly link: number;
  readonly variancePower: number;
  readonly linkPower: number;
}

export function familyArgs(family: Family, link: Link, variancePower: number, linkPower: number): FamilyArgs {
  const variance = family === "gaussian" ? 0 : family === "binomial" || family === "quasibinomial" ? 1 : family === "poisson" ? 2 : family === "gamma" ? 3 : 4;
  const code = link === "identity" ? 0 : link === "logit" ? 1 : link === "log" ? 2 : link === "inverse" ? 3 : 4;
  // The tweedie link mu^p is the log link at p = 0 and the identity at p = 1.
  const resolved = code === 4 ? (linkPower === 0 ? 2 : linkPower === 1 ? 0 : 4) : code;
  return { variance, link: resolved, variancePower, linkPower };
}

/** The mean of a linear predictor. */
export function linkInv(f: FamilyArgs, eta: number): number {
  switch (f.link) {
    case 0:
      return eta;
    case 1:
      return 1 / (1 + Math.exp(-eta));
    case 2:
      return Math.exp(eta);
    case 3:
      return 1 / eta;
    default:
      return Math.max(eta, 0) ** (1 / f.linkPower);
  }
}

/** The linear predictor of a mean (the link). */
export function link(f: FamilyArgs, mu: number): number {
  switch (f.link) {
    case 0:
      return mu;
    case 1:
      return Math.log(mu / (1 - mu));
    case 2:
      return Math.log(mu);
    case 3:
      return 1 / mu;
    default:
      return mu ** f.linkPower;
  }
}

/** dmu/deta at a linear predictor and its mean. */
export function dmuDeta(f: FamilyArgs, eta: number, mu: number): number {
  switch (f.link) {
    case 0:
      return 1;
    case 1:
      return Math.max(mu * (1 - mu), 1e-10);
    case 2:
      return Math.max(mu, 1e-300);
    case 3:
      return -mu * mu;
    default:
      return Math.max(eta, 1e-300) ** (1 / f.linkPower - 1) / f.linkPower;
  }
}

/** The variance function V(mu). */
export function variance(f: FamilyArgs, mu: number): number {
  switch (f.variance) {
    case 0:
      return 1;
    case 1:
      return Math.max(mu * (1 - mu), 1e-10);
    case 2:
      return Math.max(mu, 1e-300);
    case 3:
      return Math.max(mu * mu, 1e-300);
    default:
      return Math.max(mu, 1e-300) ** f.variancePower;
  }
}

/** The loss.ts distribution whose deviance is this family's (shared with metrics). */
export function devianceDistribution(family: Family): Distribution {
  switch (family) {
    case "binomial":
    case "quasibinomial":
      return "bernoulli";
    case "multinomial":
      return "multinomial";
    case "poisson":
    case "gamma":
    case "tweedie":
      return family;
    default:
      return "gaussian";
  }
}

export function lossParams(variancePower: number): LossParams {
  return { tweedie_power: variancePower, quantile_alpha: 0.5, huber_delta: 1 };
}

/** Deviance of one row (the family's unit deviance at y, mu). */
export function rowDeviance(f: FamilyArgs, y: number, mu: number): number {
  switch (f.variance) {
    case 0:
      return (y - mu) * (y - mu);
    case 1: {
      const q = Math.min(Math.max(mu, 1e-15), 1 - 1e-15);
      // Fractional y (quasibinomial) keeps the saturated model's terms, so the deviance is 0 at mu = y.
      const sat = (y > 0 ? y * Math.log(y) : 0) + (y < 1 ? (1 - y) * Math.log(1 - y) : 0);
      return 2 * (sat - y * Math.log(q) - (1 - y) * Math.log(1 - q));
    }
    case 2:
      return deviance("poisson", y, mu, lossParams(1));
    case 3:
      return deviance("gamma", y, mu, lossParams(2));
    default: {
      // The tweedie formula divides by (1 − p)(2 − p): its limits at p = 0, 1, 2 are the classic families.
      const p = f.variancePower;
      if (p === 0) return (y - mu) * (y - mu);
      if (p === 1) return deviance("poisson", y, mu, lossParams(1));
      if (p === 2) return deviance("gamma", y, mu, lossParams(2));
      return deviance("tweedie", y, mu, lossParams(p));
    }
  }
}

#!/usr/bin/env python3
"""Fits the rational tanh of src/lstm/simd.rs: tanh(x) ~ x * P(x^2) / Q(x^2) on |x| <= 9.5,
with Q(0) = 1. Linearised weighted least squares (x P - tanh Q = min, weights 1/Q from the
previous round), then Lawson re-weighting towards the minimax error; finally the maximum
error of the f32 evaluation (Horner, as the Rust code does it) over a dense grid.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy
    /tmp/venv/bin/python scripts/fit_tanh.py
"""
import numpy as np

P_TERMS, Q_TERMS, CLAMP = 5, 5, 9.5


def fit(rounds=60):
    x = np.unique(np.concatenate([np.linspace(0, CLAMP, 20000),
                                  CLAMP * (1 - np.cos(np.linspace(0, np.pi / 2, 20000)))]))
    s, t = x * x, np.tanh(x)
    weight, q_prev = np.ones_like(x), np.ones_like(x)
    for round_ in range(rounds):
        a = np.concatenate([x[:, None] * s[:, None] ** np.arange(P_TERMS),
                            -t[:, None] * s[:, None] ** np.arange(1, Q_TERMS)], axis=1)
        w = np.sqrt(weight) / q_prev
        c, *_ = np.linalg.lstsq(a * w[:, None], t * w, rcond=None)
        p, q = c[:P_TERMS], np.concatenate([[1.0], c[P_TERMS:]])
        q_prev = np.polyval(q[::-1], s)
        err = x * np.polyval(p[::-1], s) / q_prev - t
        if round_ > 10:
            weight = weight * np.abs(err) / np.mean(np.abs(err))
            weight = weight / weight.sum() * len(weight)
    return p.astype(np.float32), q.astype(np.float32)


def tanh_f32(p, q, x):
    x = np.clip(x.astype(np.float32), -np.float32(CLAMP), np.float32(CLAMP))
    s = x * x
    pp, qq = np.float32(0), np.float32(0)
    for cp, cq in zip(p[::-1], q[::-1]):
        pp, qq = pp * s + cp, qq * s + cq
    return np.clip(x * pp / qq, -1, 1)


p, q = fit()
xs = np.linspace(-20, 20, 4_000_001).astype(np.float32)
print("P =", [float(v) for v in p])
print("Q =", [float(v) for v in q])
print("max |error| in f32: %.2e" % np.max(np.abs(tanh_f32(p, q, xs) - np.tanh(xs.astype(np.float64)))))

"""Finite-difference gradient checks, as every derivation in the notebooks ends: compare an analytic
gradient with central differences by their relative error (float64: expect about 1e-9 or less)."""

import numpy as np

__all__ = ["numerical_gradient", "numerical_jacobian", "relative_error", "check_gradients"]


def numerical_gradient(f, x, eps=1e-6):
    r"""Central-difference gradient (float64, x's shape) of a scalar function f at x of any shape
    (copied: the caller's array is never modified).

    .. math:: \partial f / \partial x_i \approx (f(x + \epsilon e_i) - f(x - \epsilon e_i)) / (2\epsilon)
    """
    x = np.asarray(x, dtype=np.float64)
    return numerical_jacobian(lambda v: float(f(v)), x, eps).reshape(x.shape)


def numerical_jacobian(f, x, eps=1e-6):
    """Central-difference Jacobian (m, n) of f, which maps x (n numbers, copied) to m numbers:
    row i is the gradient of f(x)[i]. The Hessian of a scalar function is the Jacobian of its
    gradient: ``numerical_jacobian(grad_f, x)``."""
    x, eps = np.array(x, dtype=np.float64), float(eps)
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps is the finite-difference step and must be a positive number, got {eps}")
    flat, cols = x.reshape(-1), []
    for j in range(flat.size):  # one pair of evaluations per coordinate: inherently a loop over f calls
        keep = flat[j]
        flat[j] = keep + eps
        up = np.ravel(f(x)).astype(np.float64)
        flat[j] = keep - eps
        down = np.ravel(f(x)).astype(np.float64)
        flat[j] = keep
        cols.append((up - down) / (2.0 * eps))
    return np.stack(cols, axis=1)


def relative_error(a, b):
    r"""Relative error :math:`\|a - b\| / (\|a\| + \|b\|)` of two arrays (Euclidean norms), 0 when
    both are exactly zero. Norm-wise, so a single entry that is zero up to rounding does not dominate."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def check_gradients(target, *args, eps=1e-6, **kwargs):
    """Worst relative error between analytic and numerical gradients, in two forms.

    - ``check_gradients(model, X, y, l2=0.0)`` for a :class:`helpers.nn.MLP` (anything with
      ``params`` and ``loss_and_grads``): {name: relative error} per parameter; the model is
      left exactly as it was.
    - ``check_gradients(fun, x)`` where ``fun(x)`` returns ``(value, grad)`` (every loss in
      helpers.losses has this form): {"x": relative error}.
    """
    if hasattr(target, "loss_and_grads"):
        model = target
        _, grads = model.loss_and_grads(*args, **kwargs)
        errors = {}
        for name, p in model.params.items():
            saved = p.copy()

            def f(v, p=p):
                p[...] = v
                return model.loss_and_grads(*args, **kwargs)[0]
            num = numerical_gradient(f, saved, eps=eps)
            p[...] = saved
            errors[name] = relative_error(grads[name], num)
        return errors
    x = np.array(args[0], dtype=np.float64)
    _, grad = target(x, *args[1:], **kwargs)
    num = numerical_gradient(lambda v: target(v, *args[1:], **kwargs)[0], x, eps=eps)
    return {"x": relative_error(grad, num)}

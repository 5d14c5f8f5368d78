using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Singer.Recommendation;

/// <summary>
/// Adam (Kingma &amp; Ba) with PyTorch's update rule and defaults (β₁ 0.9, β₂ 0.999, ε 1e-8, no weight decay), kept
/// in the library so that its state — the step count and both moment estimates — can be saved in checkpoints and
/// restored exactly.
/// </summary>
internal sealed class AdamOptimizer : IDisposable
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Epsilon = 1e-8;

    private readonly Parameter[] _parameters;
    private readonly Tensor[] _first;
    private readonly Tensor[] _second;

    public AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate)
    {
        _parameters = parameters.ToArray();
        LearningRate = learningRate;
        using (no_grad())
        {
            _first = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
            _second = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        }
    }

    public double LearningRate { get; }

    /// <summary>Steps taken so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>The moment estimates, parameter by parameter (first moments, then second moments).</summary>
    public IReadOnlyList<Tensor> State => [.. _first, .. _second];

    /// <summary>Clears the gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            using var grad = p.grad;
            grad?.zero_();
        }
    }

    /// <summary>One Adam update of every parameter that has a gradient. Call inside a dispose scope.</summary>
    public void Step()
    {
        StepCount++;
        double correction1 = 1 - Math.Pow(Beta1, StepCount);
        double correction2 = 1 - Math.Pow(Beta2, StepCount);
        double stepSize = LearningRate / correction1;
        double sqrtCorrection2 = Math.Sqrt(correction2);
        using var noGrad = no_grad();
        // Explicit, scoped Scalars: an implicit conversion's temporary can be finalized by the GC while the native
        // call that received its handle still runs (TorchSharp 0.107), which corrupts the value or crashes.
        using var beta1 = Beta1.ToScalar();
        using var beta2 = Beta2.ToScalar();
        using var oneMinusBeta1 = (1 - Beta1).ToScalar();
        using var oneMinusBeta2 = (1 - Beta2).ToScalar();
        using var sqrtCorrection = sqrtCorrection2.ToScalar();
        using var epsilon = Epsilon.ToScalar();
        using var minusStep = (-stepSize).ToScalar();
        using var one = 1.ToScalar();
        for (int k = 0; k < _parameters.Length; k++)
        {
            using var grad = _parameters[k].grad;
            if (grad is null)
            {
                continue;
            }

            _first[k].mul_(beta1).add_(grad, alpha: oneMinusBeta1);
            _second[k].mul_(beta2).addcmul_(grad, grad, value: oneMinusBeta2);
            using var root = _second[k].sqrt();
            using var denominator = root.div_(sqrtCorrection).add_(epsilon, one);
            _parameters[k].addcdiv_(_first[k], denominator, value: minusStep);
        }
    }

    /// <summary>Restores the step count and moments (from a checkpoint).</summary>
    public void Restore(long stepCount, IReadOnlyList<Tensor> state)
    {
        if (state.Count != 2 * _parameters.Length)
        {
            throw new InvalidDataException($"The optimizer state has {state.Count} tensors; expected {2 * _parameters.Length}.");
        }

        using var noGrad = no_grad();
        for (int k = 0; k < _parameters.Length; k++)
        {
            _first[k].copy_(state[k]);
            _second[k].copy_(state[_parameters.Length + k]);
        }

        StepCount = stepCount;
    }

    public void Dispose()
    {
        foreach (var t in _first.Concat(_second))
        {
            t.Dispose();
        }
    }
}

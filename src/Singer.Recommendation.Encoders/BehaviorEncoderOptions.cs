using Singer.Recommendation.Core;

namespace Singer.Recommendation.Encoders;

/// <summary>Options of the behaviour branch (LightGCN).</summary>
public sealed record BehaviorEncoderOptions
{
    /// <summary>Propagation layers <c>L_b</c>; default 2 (SPEC §2). 0 is plain matrix factorisation.</summary>
    public int Layers { get; init; } = Defaults.BehaviorLayers;

    /// <summary>Every problem with these options.</summary>
    public IEnumerable<OptionProblem> Validate()
    {
        if (Layers is < 0 or > 8)
        {
            yield return new OptionProblem($"{nameof(BehaviorEncoderOptions)}.{nameof(Layers)}", $"must be in [0, 8]; got {Layers}.");
        }
    }
}

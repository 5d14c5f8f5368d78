using static TorchSharp.torch;

namespace Singer.Recommendation.Encoders;

/// <summary>Representations of all users (<c>[U, d]</c>) and all items (<c>[I, d]</c>) produced by an encoder.</summary>
/// <param name="Users">One row per user.</param>
/// <param name="Items">One row per item.</param>
public readonly record struct EncodedRepresentations(Tensor Users, Tensor Items);

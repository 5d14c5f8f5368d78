namespace Singer.Recommendation.Features;

/// <summary>
/// Options of <see cref="TextFeatureEncoder"/>. Immutable; <see cref="TextFeatureEncoder"/> validates them and reports
/// every problem at once.
/// </summary>
public sealed record TextEncoderOptions
{
    /// <summary>The name of the produced <see cref="ItemModality"/>. Default <c>text</c>, as MMRec's <c>text_feat.npy</c>.</summary>
    public string ModalityName { get; init; } = Defaults.TextModalityName;

    /// <summary>Texts per ONNX Runtime call, 1 to 4096. Default 32. Texts are batched in order of length, so a batch pads
    /// little; larger batches are faster per text until memory bandwidth limits them.</summary>
    public int BatchSize { get; init; } = Defaults.TextBatchSize;

    /// <summary>Word pieces kept per text (besides <c>[CLS]</c> and <c>[SEP]</c>), 1 to 510. Default 254, which matches
    /// sentence-transformers' <c>max_seq_length</c> of 256 for all-MiniLM-L6-v2; a text is cut at the last whole word that
    /// fits.</summary>
    public int MaxWordPieces { get; init; } = Defaults.MaxWordPieces;

    /// <summary>What joins the fields of one item in <see cref="TextFeatureEncoder.Encode(IReadOnlyList{IReadOnlyList{string}}, IProgress{FeatureProgress}, CancellationToken)"/>.
    /// Default one space, MMRec's recipe (<c>title + ' ' + brand + ' ' + categories + ' ' + description</c>).</summary>
    public string FieldSeparator { get; init; } = Defaults.FieldSeparator;

    /// <summary>ONNX Runtime intra-op threads; 0 (the default) lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; } = Defaults.IntraOpThreads;

    internal void Validate()
    {
        var v = new OptionsValidation(nameof(TextEncoderOptions));
        v.Check(OptionsValidation.IsModalityName(ModalityName), nameof(ModalityName), $"'{ModalityName}' must be non-empty letters, digits, '_', '-' or '.'.");
        v.Check(BatchSize is >= 1 and <= 4096, nameof(BatchSize), $"{BatchSize} is outside 1 to 4096.");
        v.Check(MaxWordPieces is >= 1 and <= 510, nameof(MaxWordPieces), $"{MaxWordPieces} is outside 1 to 510 (the model has 512 positions, two of them for [CLS] and [SEP]).");
        v.Check(FieldSeparator is not null, nameof(FieldSeparator), "must not be null (use \"\" to join fields without a separator).");
        v.Check(IntraOpThreads >= 0, nameof(IntraOpThreads), $"{IntraOpThreads} is negative; use 0 to let ONNX Runtime choose.");
        v.ThrowIfAny();
    }
}

namespace Singer.Recommendation.Features;

/// <summary>
/// Options of <see cref="ImageFeatureEncoder"/>. Immutable; <see cref="ImageFeatureEncoder"/> validates them and reports
/// every problem at once.
/// </summary>
public sealed record ImageEncoderOptions
{
    /// <summary>The name of the produced <see cref="ItemModality"/>. Default <c>image</c>, as MMRec's <c>image_feat.npy</c>.</summary>
    public string ModalityName { get; init; } = Defaults.ImageModalityName;

    /// <summary>The folder that holds <c>ResNetPrepOnnx/ResNetPreprocess.onnx</c> and <c>ResNet18Onnx/ResNet18.onnx</c>.
    /// Default null: <c>DnnImageModels</c> in the application's folder, where the
    /// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> package copies them at build time.</summary>
    public string? ModelDirectory { get; init; }

    /// <summary>ONNX Runtime intra-op threads; 0 (the default) lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; } = Defaults.IntraOpThreads;

    internal void Validate()
    {
        var v = new OptionsValidation(nameof(ImageEncoderOptions));
        v.Check(OptionsValidation.IsModalityName(ModalityName), nameof(ModalityName), $"'{ModalityName}' must be non-empty letters, digits, '_', '-' or '.'.");
        v.Check(ModelDirectory is null || !string.IsNullOrWhiteSpace(ModelDirectory), nameof(ModelDirectory), "must be null (the application folder's DnnImageModels) or a folder path.");
        v.Check(IntraOpThreads >= 0, nameof(IntraOpThreads), $"{IntraOpThreads} is negative; use 0 to let ONNX Runtime choose.");
        v.ThrowIfAny();
    }
}

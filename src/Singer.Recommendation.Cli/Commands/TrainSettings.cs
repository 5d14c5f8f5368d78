using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Singer.Recommendation.Cli.Commands;

/// <summary>The options of <c>singer train</c>. Unset hyperparameters keep the library's defaults (docs/algorithm.md).</summary>
internal sealed class TrainSettings : DataSettings
{
    [CommandOption("--data <FOLDER>")]
    [Description("The MMRec data folder: <name>.inter (userID itemID rating timestamp x_label) and <modality>_feat.npy files. Required.")]
    public override string? Data { get; set; }

    [CommandOption("--preset <PRESET>")]
    [Description("default (SINGER with the settings chosen on validation), paper (the specification's first values, which collapse on MovieLens-100K) or lightgcn (the behaviour-only baseline). Default: default. Options below change single settings of the preset.")]
    public string? Preset { get; set; }

    [CommandOption("--model <MODEL>", IsHidden = true)]
    [Description("Older name: singer is --preset default, lightgcn is --preset lightgcn.")]
    public string? Model { get; set; }

    [CommandOption("--out <FILE>")]
    [Description("Where to save the trained model (one .singer file, written atomically). Required.")]
    public string? Out { get; set; }

    [CommandOption("--epochs <N>")]
    [Description("The most training epochs; early stopping usually ends sooner. Default 1000.")]
    public int? Epochs { get; set; }

    [CommandOption("--patience <N>")]
    [Description("Stop after N validations without a better Recall@20. Default 20.")]
    public int? Patience { get; set; }

    [CommandOption("--seed <N>")]
    [Description("Seed of initialisation, sampling and noise. Default 42.")]
    public int? Seed { get; set; }

    [CommandOption("--batch-size <N>")]
    [Description("Training triples per batch. Default 2048.")]
    public int? BatchSize { get; set; }

    [CommandOption("--embedding-size <N>")]
    [Description("Embedding size d. Default 64.")]
    public int? EmbeddingSize { get; set; }

    [CommandOption("--lr <F>")]
    [Description("Adam learning rate. Default 0.001.")]
    public double? LearningRate { get; set; }

    [CommandOption("--l2 <F>")]
    [Description("λ_r, weight of the L2 term. Default 0.001 (lightgcn and paper: 0.0001).")]
    public double? L2 { get; set; }

    [CommandOption("-k|--knn <N>")]
    [Description("SINGER: modality kNN neighbours per item in the semantic graph. Default 20 (paper: 10).")]
    public int? K { get; set; }

    [CommandOption("--coint-k <N>")]
    [Description("SINGER: co-interaction neighbours per item, k_c. Default 10.")]
    public int? CoInteractionK { get; set; }

    [CommandOption("--beta <F>")]
    [Description("SINGER: fusion weight β of the co-interaction graph, in [[0, 1]]. Default 0.3.")]
    public float? Beta { get; set; }

    [CommandOption("--eps <F>")]
    [Description("SINGER: perturbation intensity ε. Default 0.2 (paper: 0.1).")]
    public float? Epsilon { get; set; }

    [CommandOption("--lambda-p <F>")]
    [Description("SINGER: weight λ_p of the perturbation loss. Default 0.1.")]
    public float? LambdaP { get; set; }

    [CommandOption("--lambda-a <F>")]
    [Description("SINGER: weight λ_a of the anchor alignment. Default 0.1.")]
    public float? LambdaA { get; set; }

    [CommandOption("--lambda-s <F>")]
    [Description("SINGER: weight λ_s of the standard alignment. Default 0 (paper: 0.1).")]
    public float? LambdaS { get; set; }

    [CommandOption("--tau <F>")]
    [Description("SINGER: InfoNCE temperature τ. Default 0.1 (paper: 0.2).")]
    public float? Tau { get; set; }

    [CommandOption("--semantic-layers <N>")]
    [Description("SINGER: propagation layers L_s over the semantic graph. Default 2 (paper: 1).")]
    public int? SemanticLayers { get; set; }

    [CommandOption("--behavior-layers <N>")]
    [Description("LightGCN propagation layers L_b. Default 2.")]
    public int? BehaviorLayers { get; set; }

    [CommandOption("--contrastive-rows <N>")]
    [Description("SINGER: the most users (and items) of a batch in the contrastive terms, or all. Default 256 (paper: all).")]
    public string? ContrastiveRows { get; set; }

    [CommandOption("--semantic-input <INPUT>")]
    [Description("SINGER: what the semantic branch propagates over the semantic graph: features (projected features), item-ids (the item ID embeddings, FREEDOM), both (their sum) or gated (ID embeddings gated by the features, MGCN). Default features.")]
    public string? SemanticInput { get; set; }

    [CommandOption("--layer-combination <HOW>")]
    [Description("SINGER: how the semantic layers are combined: last (the last layer) or mean (the mean of layers 0..L_s). Default mean (paper: last).")]
    public string? LayerCombination { get; set; }

    [CommandOption("--id-table <TABLE>")]
    [Description("SINGER: the ID table of an ID-based semantic input: shared (the behaviour branch's) or separate. Default shared.")]
    public string? IdTable { get; set; }

    [CommandOption("--self-loops <BOOL>")]
    [Description("SINGER: whether an item is its own neighbour in the modality kNN graphs (true/false). Default false.")]
    public bool? SelfLoops { get; set; }

    [CommandOption("--knn-weight <WEIGHT>")]
    [Description("SINGER: kNN edge weights: cosine or binary. Default cosine.")]
    public string? KnnWeight { get; set; }

    [CommandOption("--coint-weighting <HOW>")]
    [Description("SINGER: how co-interaction neighbours are ranked and weighted: count, cosine or jaccard. Default count.")]
    public string? CoInteractionWeighting { get; set; }

    [CommandOption("--fusion <HOW>")]
    [Description("SINGER: modality fusion weights: equal or learned (softmax). Default equal.")]
    public string? Fusion { get; set; }

    [CommandOption("--modalities <LIST>")]
    [Description("SINGER: comma-separated modality names to use (default: every *_feat.npy of the folder).")]
    public string? Modalities { get; set; }

    [CommandOption("--cold-items <POLICY>")]
    [Description("SINGER: items without training interactions: standard (ID embedding + semantics, drawn as negatives) or semantic-only (semantics alone, never negatives). Default semantic-only (paper: standard).")]
    public string? ColdItems { get; set; }

    [CommandOption("--perturbation-placement <WHERE>")]
    [Description("SINGER: where the perturbed views are made: semantic, behavior (every LightGCN layer, SimGCL) or both. Default semantic.")]
    public string? PerturbationPlacement { get; set; }

    [CommandOption("--perturbation-mode <MODE>")]
    [Description("SINGER: the personalised intensity rho: proportional, inverse or uniform. Default proportional.")]
    public string? PerturbationMode { get; set; }

    [CommandOption("--perturbation-scale <SCALE>")]
    [Description("SINGER: eps as an absolute length or relative to the batch's mean modulus: absolute or relative. Default absolute.")]
    public string? PerturbationScale { get; set; }

    [CommandOption("--contrastive-selection <ROWS>")]
    [Description("SINGER: the rows of a batch in the contrastive terms: users-and-items (negatives included) or users-and-positives. Default users-and-items.")]
    public string? ContrastiveSelection { get; set; }

    [CommandOption("--alignment-direction <DIR>")]
    [Description("SINGER: directions of the standard alignment: symmetric, behavior-to-semantic or semantic-to-behavior. Default symmetric.")]
    public string? AlignmentDirection { get; set; }

    [CommandOption("--alignment-stop-gradient <SIDE>")]
    [Description("SINGER: the side of the standard alignment that gets no gradient: none, behavior or semantic. Default none.")]
    public string? AlignmentStopGradient { get; set; }

    [CommandOption("--anchor-stop-gradient <BOOL>")]
    [Description("SINGER: whether the behaviour anchors get no gradient from the anchor alignment (true/false). Default false.")]
    public bool? AnchorStopGradient { get; set; }

    [CommandOption("--warmup-epochs <N>")]
    [Description("SINGER: epochs over which the contrastive weights rise linearly from 0. Default 0.")]
    public int? WarmupEpochs { get; set; }

    [CommandOption("--negative-candidates <N>")]
    [Description("Negative candidates per training pair; BPR trains on the one the model scores highest (dynamic negative sampling). Default 8 (paper, lightgcn: 1, one uniform negative).")]
    public int? NegativeCandidates { get; set; }

    [CommandOption("--max-steps-per-epoch <N>")]
    [Description("At most N training steps (full-graph propagations) per epoch: the batch grows to ceil(pairs / N) once an epoch would take more, so an epoch's cost grows linearly with the data. Changes the optimisation (fewer, larger steps). Default: no limit.")]
    public int? MaxStepsPerEpoch { get; set; }

    [CommandOption("--retain-native-memory <BOOL>")]
    [Description("true: while training and evaluating, keep the native memory libtorch frees (Linux glibc), so large tensors reuse pages instead of faulting fresh ones in at every step (faster on large data, higher peak memory); false: the C library's default. Changes no value. Default true.")]
    public bool? RetainNativeMemory { get; set; }

    [CommandOption("--checkpoint <FILE>")]
    [Description("Write a checkpoint (best model so far plus training state) to FILE; if FILE exists, resume from it.")]
    public string? Checkpoint { get; set; }

    [CommandOption("--checkpoint-every <N>")]
    [Description("Write the checkpoint every N epochs. Default 1.")]
    public int? CheckpointEvery { get; set; }

    [CommandOption("--restart")]
    [Description("Ignore (and overwrite) an existing --checkpoint file instead of resuming from it.")]
    public bool Restart { get; set; }

    [CommandOption("--plot <FILE>")]
    [Description("Write the training curve (loss and validation Recall@20 per epoch) as a PNG.")]
    public string? Plot { get; set; }

    /// <summary>The preset after resolving the older <c>--model</c> name: default, paper or lightgcn.</summary>
    public string ResolvedPreset =>
        (Preset ?? (string.Equals(Model, "lightgcn", StringComparison.OrdinalIgnoreCase) ? "lightgcn" : "default")).ToLowerInvariant();

    public bool IsLightGcn => ResolvedPreset == "lightgcn";

    /// <summary>The parsed <c>--contrastive-rows</c>: null when absent, or the cap (null inside for "all").</summary>
    public (bool Given, int? Cap) ContrastiveRowCap =>
        ContrastiveRows is null ? (false, null)
        : string.Equals(ContrastiveRows, "all", StringComparison.OrdinalIgnoreCase) ? (true, null)
        : (true, int.Parse(ContrastiveRows, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The options that take one of a few words, with their words.</summary>
    internal IEnumerable<(string Option, string? Value, string[] Allowed)> ChoiceOptions() =>
    [
        ("--semantic-input", SemanticInput, ["features", "item-ids", "both", "gated"]),
        ("--layer-combination", LayerCombination, ["last", "mean"]),
        ("--id-table", IdTable, ["shared", "separate"]),
        ("--cold-items", ColdItems, ["standard", "semantic-only"]),
        ("--knn-weight", KnnWeight, ["cosine", "binary"]),
        ("--coint-weighting", CoInteractionWeighting, ["count", "cosine", "jaccard"]),
        ("--fusion", Fusion, ["equal", "learned"]),
        ("--perturbation-placement", PerturbationPlacement, ["semantic", "behavior", "both"]),
        ("--perturbation-mode", PerturbationMode, ["proportional", "inverse", "uniform"]),
        ("--perturbation-scale", PerturbationScale, ["absolute", "relative"]),
        ("--contrastive-selection", ContrastiveSelection, ["users-and-items", "users-and-positives"]),
        ("--alignment-direction", AlignmentDirection, ["symmetric", "behavior-to-semantic", "semantic-to-behavior"]),
        ("--alignment-stop-gradient", AlignmentStopGradient, ["none", "behavior", "semantic"]),
    ];

    public override ValidationResult Validate()
    {
        if (DataProblem("--data <FOLDER> is required: the MMRec data folder to train on.") is { } problem)
        {
            return ValidationResult.Error(problem);
        }

        if (string.IsNullOrWhiteSpace(Out))
        {
            return ValidationResult.Error("--out <FILE> is required: where to save the trained model.");
        }

        if (Model is not null && !string.Equals(Model, "singer", StringComparison.OrdinalIgnoreCase) && !string.Equals(Model, "lightgcn", StringComparison.OrdinalIgnoreCase))
        {
            return ValidationResult.Error($"--model must be singer or lightgcn; got '{Model}'. (--preset default|paper|lightgcn is the newer option.)");
        }

        if (Model is not null && Preset is not null)
        {
            return ValidationResult.Error("--model is the older name of --preset; give one of them.");
        }

        if (Preset is not null && ResolvedPreset is not ("default" or "paper" or "lightgcn"))
        {
            return ValidationResult.Error($"--preset must be default, paper or lightgcn; got '{Preset}'.");
        }

        if (ContrastiveRows is not null && !string.Equals(ContrastiveRows, "all", StringComparison.OrdinalIgnoreCase)
            && !int.TryParse(ContrastiveRows, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            return ValidationResult.Error($"--contrastive-rows takes a whole number or 'all'; got '{ContrastiveRows}'.");
        }

        if (IsLightGcn)
        {
            var semantic = new (string Name, object? Value)[]
            {
                ("--k", K), ("--coint-k", CoInteractionK), ("--beta", Beta), ("--eps", Epsilon), ("--lambda-p", LambdaP),
                ("--lambda-a", LambdaA), ("--lambda-s", LambdaS), ("--tau", Tau), ("--contrastive-rows", ContrastiveRows), ("--semantic-layers", SemanticLayers),
                ("--semantic-input", SemanticInput), ("--layer-combination", LayerCombination), ("--id-table", IdTable), ("--self-loops", SelfLoops), ("--cold-items", ColdItems),
                ("--knn-weight", KnnWeight), ("--coint-weighting", CoInteractionWeighting), ("--fusion", Fusion), ("--modalities", Modalities),
                ("--perturbation-placement", PerturbationPlacement), ("--perturbation-mode", PerturbationMode), ("--perturbation-scale", PerturbationScale),
                ("--contrastive-selection", ContrastiveSelection), ("--alignment-direction", AlignmentDirection), ("--alignment-stop-gradient", AlignmentStopGradient),
                ("--anchor-stop-gradient", AnchorStopGradient), ("--warmup-epochs", WarmupEpochs),
            }.Where(o => o.Value is not null).Select(o => o.Name).ToArray();
            if (semantic.Length > 0)
            {
                return ValidationResult.Error($"{string.Join(", ", semantic)} configure{(semantic.Length == 1 ? "s" : "")} SINGER's semantic branch, which --preset lightgcn does not have.");
            }
        }

        foreach (var (option, value, allowed) in ChoiceOptions())
        {
            if (value is not null && !allowed.Contains(value.ToLowerInvariant()))
            {
                return ValidationResult.Error($"{option} must be {string.Join(", ", allowed[..^1])} or {allowed[^1]}; got '{value}'.");
            }
        }

        if (Checkpoint is null && (CheckpointEvery is not null || Restart))
        {
            return ValidationResult.Error("--checkpoint-every and --restart need --checkpoint <FILE>.");
        }

        if (CheckpointEvery is < 1)
        {
            return ValidationResult.Error($"--checkpoint-every must be ≥ 1; got {CheckpointEvery}.");
        }

        if (Plot is not null && !Plot.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            return ValidationResult.Error($"--plot writes a PNG; give a file name ending in .png (got '{Plot}').");
        }

        return ValidationResult.Success();
    }
}

using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Singer.Recommendation.Cli.Commands;

/// <summary>The options of <c>singer train</c>. Unset hyperparameters keep the library's defaults (docs/algorithm.md).</summary>
internal sealed class TrainSettings : CommonSettings
{
    [CommandOption("--data <FOLDER>")]
    [Description("The MMRec data folder: <name>.inter (userID itemID rating timestamp x_label) and <modality>_feat.npy files. Required.")]
    public string? Data { get; set; }

    [CommandOption("--model <MODEL>")]
    [Description("singer (default) or lightgcn (the behaviour-only baseline).")]
    [DefaultValue("singer")]
    public string Model { get; set; } = "singer";

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
    [Description("λ_r, weight of the L2 term. Default 0.0001.")]
    public double? L2 { get; set; }

    [CommandOption("-k|--knn <N>")]
    [Description("SINGER: modality kNN neighbours per item in the EISG. Default 10.")]
    public int? K { get; set; }

    [CommandOption("--coint-k <N>")]
    [Description("SINGER: co-interaction neighbours per item, k_c. Default 10.")]
    public int? CoInteractionK { get; set; }

    [CommandOption("--beta <F>")]
    [Description("SINGER: fusion weight β of the co-interaction graph, in [[0, 1]]. Default 0.3.")]
    public float? Beta { get; set; }

    [CommandOption("--eps <F>")]
    [Description("SINGER: perturbation intensity ε. Default 0.1.")]
    public float? Epsilon { get; set; }

    [CommandOption("--lambda-p <F>")]
    [Description("SINGER: weight λ_p of the perturbation loss. Default 0.1.")]
    public float? LambdaP { get; set; }

    [CommandOption("--lambda-a <F>")]
    [Description("SINGER: weight λ_a of the anchor alignment. Default 0.1.")]
    public float? LambdaA { get; set; }

    [CommandOption("--lambda-s <F>")]
    [Description("SINGER: weight λ_s of the standard alignment. Default 0.1.")]
    public float? LambdaS { get; set; }

    [CommandOption("--tau <F>")]
    [Description("SINGER: InfoNCE temperature τ. Default 0.2.")]
    public float? Tau { get; set; }

    [CommandOption("--contrastive-rows <N>")]
    [Description("SINGER: the most users (and items) of a batch in the contrastive terms. Default: all.")]
    public int? ContrastiveRows { get; set; }

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

    public bool IsLightGcn => string.Equals(Model, "lightgcn", StringComparison.OrdinalIgnoreCase);

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Data))
        {
            return ValidationResult.Error("--data <FOLDER> is required: the MMRec data folder to train on.");
        }

        if (string.IsNullOrWhiteSpace(Out))
        {
            return ValidationResult.Error("--out <FILE> is required: where to save the trained model.");
        }

        if (!IsLightGcn && !string.Equals(Model, "singer", StringComparison.OrdinalIgnoreCase))
        {
            return ValidationResult.Error($"--model must be singer or lightgcn; got '{Model}'.");
        }

        if (IsLightGcn)
        {
            var semantic = new (string Name, object? Value)[]
            {
                ("--k", K), ("--coint-k", CoInteractionK), ("--beta", Beta), ("--eps", Epsilon), ("--lambda-p", LambdaP),
                ("--lambda-a", LambdaA), ("--lambda-s", LambdaS), ("--tau", Tau), ("--contrastive-rows", ContrastiveRows),
            }.Where(o => o.Value is not null).Select(o => o.Name).ToArray();
            if (semantic.Length > 0)
            {
                return ValidationResult.Error($"{string.Join(", ", semantic)} configure{(semantic.Length == 1 ? "s" : "")} SINGER's semantic branch, which --model lightgcn does not have.");
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

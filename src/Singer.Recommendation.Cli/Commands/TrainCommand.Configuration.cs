using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using Singer.Recommendation.Losses;
using Singer.Recommendation.Perturbation;

namespace Singer.Recommendation.Cli.Commands;

/// <summary><c>singer train</c>'s options as a model builder, and the library's option names in command-line terms.</summary>
internal sealed partial class TrainCommand
{
    /// <summary>The builder for the chosen model with every option given on the command line (the rest keep their defaults).</summary>
    internal static SingerModelBuilder Configure(TrainSettings s, InteractionDataset data)
    {
        var builder = s.ResolvedPreset switch
        {
            "lightgcn" => SingerModelBuilder.LightGcn(data),
            "paper" => SingerModelBuilder.Paper(data),
            _ => SingerModelBuilder.Singer(data),
        };
        builder.WithTraining(t =>
        {
            if (s.Epochs is { } epochs)
            {
                t = t.MaxEpochs(epochs);
            }

            if (s.Patience is { } patience)
            {
                t = t.Patience(patience);
            }

            if (s.BatchSize is { } batch)
            {
                t = t.BatchSize(batch);
            }

            if (s.EmbeddingSize is { } d)
            {
                t = t.EmbeddingSize(d);
            }

            if (s.LearningRate is { } lr)
            {
                t = t.LearningRate(lr);
            }

            if (s.L2 is { } l2)
            {
                t = t.L2Weight(l2);
            }

            if (s.NegativeCandidates is { } negatives)
            {
                t = t.NegativeCandidates(negatives);
            }

            if (s.MaxStepsPerEpoch is { } steps)
            {
                t = t.MaxStepsPerEpoch(steps);
            }

            if (s.RetainNativeMemory is { } retain)
            {
                t = t.RetainNativeMemory(retain);
            }

            return t;
        });
        if (s.Seed is { } seed)
        {
            builder.WithSeed(seed);
        }

        builder.UseSemanticGraph(g =>
        {
            var knn = g.Knn ?? new KnnGraphOptions();
            return g with
            {
                Knn = knn with
                {
                    K = s.K ?? knn.K,
                    IncludeSelf = s.SelfLoops ?? knn.IncludeSelf,
                    Weight = s.KnnWeight is { } w ? Enum.Parse<KnnEdgeWeight>(w, ignoreCase: true) : knn.Weight,
                },
                CoInteractionK = s.CoInteractionK ?? g.CoInteractionK,
                CoInteractionWeighting = s.CoInteractionWeighting is { } cw ? Enum.Parse<CoInteractionWeighting>(cw, ignoreCase: true) : g.CoInteractionWeighting,
                Beta = s.Beta ?? g.Beta,
            };
        });

        if (s.BehaviorLayers is { } lb)
        {
            builder.UseBehaviorEncoder(lb);
        }

        builder.UseSemanticEncoder(sem => sem with
        {
            Layers = s.SemanticLayers ?? sem.Layers,
            Input = s.SemanticInput is { } input ? Word<SemanticInput>(input.Replace("item-ids", "itemids", StringComparison.OrdinalIgnoreCase).Replace("gated", "gateditemids", StringComparison.OrdinalIgnoreCase)) : sem.Input,
            Combination = s.LayerCombination is { } c ? Word<LayerCombination>(c) : sem.Combination,
            IdTable = s.IdTable is { } table ? Word<SemanticIdTable>(table) : sem.IdTable,
            ColdItems = s.ColdItems is { } cold ? Word<ColdItemPolicy>(cold) : sem.ColdItems,
            LearnableFusion = s.Fusion is { } f ? f.Equals("learned", StringComparison.OrdinalIgnoreCase) : sem.LearnableFusion,
            Modalities = s.Modalities is { } list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : sem.Modalities,
        });

        builder.UsePerturbation(p => p with
        {
            Epsilon = s.Epsilon ?? p.Epsilon,
            Weight = s.LambdaP ?? p.Weight,
            Placement = s.PerturbationPlacement is { } place ? Word<PerturbationPlacement>(place) : p.Placement,
            Mode = s.PerturbationMode is { } mode ? Word<PerturbationMode>(mode) : p.Mode,
            Scale = s.PerturbationScale is { } scale ? Word<PerturbationScale>(scale) : p.Scale,
        });

        builder.UseAlignment(a => a with
        {
            AnchorWeight = s.LambdaA ?? a.AnchorWeight,
            StandardWeight = s.LambdaS ?? a.StandardWeight,
            Temperature = s.Tau ?? a.Temperature,
            ContrastiveRows = s.ContrastiveRowCap.Given ? s.ContrastiveRowCap.Cap : a.ContrastiveRows,
            Rows = s.ContrastiveSelection is { } rows ? Word<ContrastiveRowSelection>(rows) : a.Rows,
            Direction = s.AlignmentDirection is { } dir ? Word<AlignmentDirection>(dir) : a.Direction,
            StandardStopGradient = s.AlignmentStopGradient is { } sg ? Word<AlignmentStopGradient>(sg) : a.StandardStopGradient,
            StopAnchorGradient = s.AnchorStopGradient ?? a.StopAnchorGradient,
            WarmupEpochs = s.WarmupEpochs ?? a.WarmupEpochs,
        });

        return builder;
    }

    /// <summary>The library option behind each command-line option of <c>singer train</c> that takes a value it checks.</summary>
    private static readonly Dictionary<string, string> CliOptions = new(StringComparer.Ordinal)
    {
        ["TrainingOptions.LearningRate"] = "--lr",
        ["TrainingOptions.BatchSize"] = "--batch-size",
        ["TrainingOptions.MaxEpochs"] = "--epochs",
        ["TrainingOptions.Patience"] = "--patience",
        ["TrainingOptions.EmbeddingSize"] = "--embedding-size",
        ["TrainingOptions.L2Weight"] = "--l2",
        ["TrainingOptions.NegativeCandidates"] = "--negative-candidates",
        ["TrainingOptions.MaxStepsPerEpoch"] = "--max-steps-per-epoch",
        ["BehaviorEncoderOptions.Layers"] = "--behavior-layers",
        ["SemanticEncoderOptions.Layers"] = "--semantic-layers",
        ["SemanticEncoderOptions.Modalities"] = "--modalities",
        ["PerturbationOptions.Epsilon"] = "--eps",
        ["PerturbationOptions.Weight"] = "--lambda-p",
        ["AlignmentOptions.AnchorWeight"] = "--lambda-a",
        ["AlignmentOptions.StandardWeight"] = "--lambda-s",
        ["AlignmentOptions.Temperature"] = "--tau",
        ["AlignmentOptions.ContrastiveRows"] = "--contrastive-rows",
        ["AlignmentOptions.WarmupEpochs"] = "--warmup-epochs",
        ["SemanticGraphOptions.Beta"] = "--beta",
        ["SemanticGraphOptions.Knn.K"] = "--k",
        ["SemanticGraphOptions.CoInteractionK"] = "--coint-k",
    };

    /// <summary>A configuration problem named by the command-line option that fixes it, where there is one (the library names its options).</summary>
    internal static OptionProblem InCliTerms(OptionProblem problem) =>
        CliOptions.TryGetValue(problem.Option, out string? flag)
            ? problem with { Option = flag, Message = problem.Message.Replace(" or null (no limit)", " (leave the option out for no limit)", StringComparison.Ordinal) }
            : problem;

    /// <summary>A CLI word (kebab-case, validated by <see cref="TrainSettings"/>) as its enum value.</summary>
    private static T Word<T>(string word)
        where T : struct, Enum => Enum.Parse<T>(word.Replace("-", "", StringComparison.Ordinal), ignoreCase: true);
}

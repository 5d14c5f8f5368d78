using System.Globalization;
using Singer.Recommendation;
using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using Singer.Recommendation.Losses;
using Singer.Recommendation.Perturbation;

namespace Singer.Recommendation.Experiments;

/// <summary>
/// A model configuration written as <c>key=value</c> settings on top of a preset, so that a run is reproducible from
/// its command line. Keys: beta, k, kc, self (true/false), weight (cosine/binary), eps, mode (proportional/inverse/uniform),
/// lp, la, ls, tau, cap, lb, lsem, fusion (equal/learned), mod (comma-separated modalities), l2, lr, batch, d, seed;
/// the options of SPEC §8: input (features/ids/both/gated), comb (last/mean), idtable (shared/separate),
/// place (semantic/behavior/both), scale (absolute/relative), rows (all/positives), dir (sym/b2s/s2b),
/// sg (none/behavior/semantic), warmup (epochs), cw (count/cosine/jaccard).
/// </summary>
internal sealed record ModelSettings(string Model, IReadOnlyList<KeyValuePair<string, string>> Settings)
{
    public static readonly string[] Keys =
    [
        "beta", "k", "kc", "self", "weight", "eps", "mode", "lp", "la", "ls", "tau", "cap", "lb", "lsem", "fusion", "mod", "l2", "lr", "batch", "d", "seed",
        "input", "comb", "idtable", "place", "scale", "rows", "dir", "sg", "warmup", "cw", "sga", "neg", "pat", "cold",
    ];

    public static ModelSettings Parse(string model, IEnumerable<string> settings)
    {
        if (model is not ("singer" or "paper" or "lightgcn"))
        {
            throw new ArgumentException($"Unknown model '{model}': use singer (the defaults), paper (the specification's values) or lightgcn.");
        }

        var list = new List<KeyValuePair<string, string>>();
        foreach (string s in settings)
        {
            int eq = s.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !Keys.Contains(s[..eq]))
            {
                throw new ArgumentException($"Setting '{s}' is not key=value with a key among: {string.Join(", ", Keys)}.");
            }

            list.Add(new(s[..eq], s[(eq + 1)..]));
        }

        return new ModelSettings(model, list);
    }

    public ModelSettings With(string key, string value) =>
        this with { Settings = Settings.Where(kv => kv.Key != key).Append(new(key, value)).ToArray() };

    public int Seed => Settings.LastOrDefault(kv => kv.Key == "seed").Value is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : 999;

    public string Label => Model + (Settings.Count == 0 ? "" : " " + string.Join(" ", Settings.Select(kv => $"{kv.Key}={kv.Value}")));

    public SingerModelBuilder Apply(InteractionDataset data, int maxEpochs)
    {
        var b = Model switch
        {
            "lightgcn" => SingerModelBuilder.LightGcn(data),
            "paper" => SingerModelBuilder.Paper(data),
            _ => SingerModelBuilder.Singer(data),
        };
        b.WithTraining(t => t.MaxEpochs(maxEpochs)).WithSeed(Seed);
        foreach (var (key, v) in Settings)
        {
            var g = b.GetComponent<SemanticGraphOptions>() ?? new SemanticGraphOptions();
            var p = b.GetComponent<PerturbationOptions>() ?? new PerturbationOptions();
            var a = b.GetComponent<AlignmentOptions>() ?? new AlignmentOptions();
            var sem = b.GetComponent<SemanticEncoderOptions>() ?? new SemanticEncoderOptions();
            switch (key)
            {
                case "beta": b.UseSemanticGraph(g with { Beta = F(v) }); break;
                case "k": b.UseSemanticGraph(g with { Knn = g.Knn with { K = I(v) } }); break;
                case "kc": b.UseSemanticGraph(g with { CoInteractionK = I(v) }); break;
                case "self": b.UseSemanticGraph(g with { Knn = g.Knn with { IncludeSelf = bool.Parse(v) } }); break;
                case "weight": b.UseSemanticGraph(g with { Knn = g.Knn with { Weight = Enum.Parse<KnnEdgeWeight>(v, ignoreCase: true) } }); break;
                case "eps": b.SetComponent(p with { Epsilon = F(v) }); break;
                case "mode": b.SetComponent(p with { Mode = Enum.Parse<PerturbationMode>(v, ignoreCase: true) }); break;
                case "lp": b.SetComponent(p with { Weight = F(v) }); break;
                case "la": b.SetComponent(a with { AnchorWeight = F(v) }); break;
                case "ls": b.SetComponent(a with { StandardWeight = F(v) }); break;
                case "tau": b.SetComponent(a with { Temperature = F(v) }); break;
                case "cap": b.SetComponent(a with { ContrastiveRows = v == "all" ? null : I(v) }); break;
                case "lb": b.UseBehaviorEncoder(I(v)); break;
                case "lsem": b.SetComponent(sem with { Layers = I(v) }); break;
                case "fusion": b.SetComponent(sem with { LearnableFusion = v == "learned" }); break;
                case "mod": b.SetComponent(sem with { Modalities = v.Split(',') }); break;
                case "l2": b.WithTraining(t => t.L2Weight(double.Parse(v, CultureInfo.InvariantCulture))); break;
                case "lr": b.WithTraining(t => t.LearningRate(double.Parse(v, CultureInfo.InvariantCulture))); break;
                case "batch": b.WithTraining(t => t.BatchSize(I(v))); break;
                case "d": b.WithTraining(t => t.EmbeddingSize(I(v))); break;
                case "input": b.SetComponent(sem with { Input = v switch { "ids" => SemanticInput.ItemIds, "gated" => SemanticInput.GatedItemIds, _ => Enum.Parse<SemanticInput>(v, ignoreCase: true) } }); break;
                case "comb": b.SetComponent(sem with { Combination = Enum.Parse<LayerCombination>(v, ignoreCase: true) }); break;
                case "idtable": b.SetComponent(sem with { IdTable = Enum.Parse<SemanticIdTable>(v, ignoreCase: true) }); break;
                case "place": b.SetComponent(p with { Placement = Enum.Parse<PerturbationPlacement>(v, ignoreCase: true) }); break;
                case "scale": b.SetComponent(p with { Scale = Enum.Parse<PerturbationScale>(v, ignoreCase: true) }); break;
                case "rows": b.SetComponent(a with { Rows = v == "positives" ? ContrastiveRowSelection.UsersAndPositives : ContrastiveRowSelection.UsersAndItems }); break;
                case "dir": b.SetComponent(a with { Direction = v switch { "b2s" => AlignmentDirection.BehaviorToSemantic, "s2b" => AlignmentDirection.SemanticToBehavior, _ => AlignmentDirection.Symmetric } }); break;
                case "sg": b.SetComponent(a with { StandardStopGradient = Enum.Parse<AlignmentStopGradient>(v, ignoreCase: true) }); break;
                case "sga": b.SetComponent(a with { StopAnchorGradient = bool.Parse(v) }); break;
                case "warmup": b.SetComponent(a with { WarmupEpochs = I(v) }); break;
                case "cw": b.UseSemanticGraph(g with { CoInteractionWeighting = Enum.Parse<CoInteractionWeighting>(v, ignoreCase: true) }); break;
                case "cold": b.SetComponent(sem with { ColdItems = v.StartsWith("sem", StringComparison.Ordinal) ? ColdItemPolicy.SemanticOnly : ColdItemPolicy.Standard }); break;
                case "neg": b.WithTraining(t => t.NegativeCandidates(I(v))); break;
                case "pat": b.WithTraining(t => t.Patience(I(v))); break;
                case "seed": break;
            }
        }

        return b;
    }

    private static float F(string v) => float.Parse(v, CultureInfo.InvariantCulture);

    private static int I(string v) => int.Parse(v, CultureInfo.InvariantCulture);
}

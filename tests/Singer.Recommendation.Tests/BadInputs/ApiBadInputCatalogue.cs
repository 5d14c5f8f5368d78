using TorchSharp;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using Singer.Recommendation.Losses;
using Singer.Recommendation.Perturbation;

namespace Singer.Recommendation.Tests.BadInputs;

/// <summary>Bad calls of the builder, the engine, model files, checkpoints and training (docs/errors.md).</summary>
internal static class ApiBadInputCatalogue
{
    public static IReadOnlyDictionary<string, ApiBadInputCase> Cases { get; } = Build().ToDictionary(c => c.Name, StringComparer.Ordinal);

    private static IEnumerable<ApiBadInputCase> Build()
    {
        // ---- builder options: every problem is a SingerConfigurationException naming the option and its range ----
        yield return Builder("builder-no-dataset", _ => new SingerModelBuilder(), "no data set was given; call WithDataset(dataset)");
        yield return Builder("builder-no-training-interactions",
            _ => SingerModelBuilder.Singer(SmallData.Small.WithTrain(UserItemMatrix.FromPairs(SmallData.Small.UserCount, SmallData.Small.ItemCount, [], []))),
            "has no training interactions");
        yield return Builder("builder-learning-rate-zero", _ => SingerModelBuilder.Singer(SmallData.Small).WithTraining(t => t.LearningRate(0)), "TrainingOptions.LearningRate: must be in (0, 10]; got 0");
        yield return Builder("builder-learning-rate-nan", _ => SingerModelBuilder.Singer(SmallData.Small).WithTraining(t => t.LearningRate(double.NaN)), "TrainingOptions.LearningRate: must be in (0, 10]; got NaN");
        yield return Builder("builder-batch-size-zero", _ => SingerModelBuilder.Singer(SmallData.Small).WithTraining(t => t.BatchSize(0)), "TrainingOptions.BatchSize: must be in [1, 1048576]; got 0");
        yield return Builder("builder-max-epochs-zero", _ => SingerModelBuilder.Singer(SmallData.Small).WithTraining(t => t.MaxEpochs(0)), "TrainingOptions.MaxEpochs: must be ≥ 1; got 0");
        yield return Builder("builder-embedding-size-too-large", _ => SingerModelBuilder.Singer(SmallData.Small).WithTraining(t => t.EmbeddingSize(5000)), "TrainingOptions.EmbeddingSize: must be in [1, 4096]; got 5000");
        yield return Builder("builder-l2-weight-infinite", _ => SingerModelBuilder.Singer(SmallData.Small).WithTraining(t => t.L2Weight(double.PositiveInfinity)), "TrainingOptions.L2Weight: must be a finite number ≥ 0");
        yield return Builder("builder-behavior-layers-9", _ => SingerModelBuilder.Singer(SmallData.Small).UseBehaviorEncoder(layers: 9), "BehaviorEncoderOptions.Layers: must be in [0, 8]; got 9");
        yield return Builder("builder-unknown-modality", _ => SingerModelBuilder.Singer(SmallData.Small).UseSemanticEncoder(modalities: ["audio"]),
            "'audio' is not a modality of data set");
        yield return Builder("builder-semantic-branch-without-features", _ => SingerModelBuilder.Singer(SmallData.Small.SelectModalities([])),
            "the semantic branch needs item features");
        yield return Builder("builder-perturbation-epsilon-negative", _ => SingerModelBuilder.Singer(SmallData.Small).UsePerturbation(epsilon: -0.1f), "Epsilon: must be in [0, 10]; got -0.1");
        yield return Builder("builder-alignment-temperature-zero", _ => SingerModelBuilder.Singer(SmallData.Small).UseAlignment(temperature: 0f), "Temperature: must be in [0.01, 100]; got 0");
        yield return Builder("builder-knn-k-zero", _ => SingerModelBuilder.Singer(SmallData.Small).UseSemanticGraph(k: 0), "SemanticGraphOptions.Knn.K: must be ≥ 1 and < the item count (200); got 0");
        yield return Builder("builder-beta-out-of-range", _ => SingerModelBuilder.Singer(SmallData.Small).UseSemanticGraph(beta: 1.5f), "SemanticGraphOptions.Beta: must be in [0, 1]; got 1.5");
        yield return Builder("builder-several-problems", _ => SingerModelBuilder.Singer(SmallData.Small).WithTraining(t => t.LearningRate(-1).BatchSize(0).Patience(0)),
            "The model configuration has 3 problems:");

        // ---- engine calls ----
        yield return Engine("engine-max-k-zero", c => () => RecommendationEngine.Create(c.Model, new RecommendationEngineOptions { MaxK = 0 }),
            typeof(ArgumentOutOfRangeException), "MaxK must be ≥ 1");
        yield return Engine("engine-unknown-user", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.Recommend("nobody"); },
            typeof(UnknownUserException), "User 'nobody' is not known to the model");
        yield return Engine("engine-k-zero", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.Recommend(c.Model.Dataset.Users[0], 0); },
            typeof(ArgumentOutOfRangeException), "k must be in [1, 1000]");
        yield return Engine("engine-k-above-max-k", c => { var e = c.Own(RecommendationEngine.Create(c.Model, new RecommendationEngineOptions { MaxK = 50 })); return () => e.Recommend(c.Model.Dataset.Users[0], 51); },
            typeof(ArgumentOutOfRangeException), "k must be in [1, 50] (RecommendationEngineOptions.MaxK)");
        yield return Engine("engine-null-user-in-batch", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.RecommendBatch([c.Model.Dataset.Users[0], null!]); },
            typeof(ArgumentException), "User id 1 is null");
        yield return Engine("engine-similar-unknown-item", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.SimilarItems("no-such-item"); },
            typeof(UnknownItemException), "Item 'no-such-item' is not known to the model; add new items with RecommendationEngine.AddItems");
        yield return Engine("engine-score-unknown-user", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.Score("nobody", [c.Model.Dataset.Items[0]]); },
            typeof(UnknownUserException), "User 'nobody' is not known");
        yield return Engine("engine-score-unknown-item", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.Score(c.Model.Dataset.Users[0], [c.Model.Dataset.Items[0], "ghost"]); },
            typeof(UnknownItemException), "Item 'ghost' is not known");
        yield return Engine("engine-score-null-item", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.Score(c.Model.Dataset.Users[0], [null!]); },
            typeof(ArgumentException), "An item id is null");
        yield return Engine("engine-add-existing-item-id", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.AddItems(NewItems(c.Model, 1), [c.Model.Dataset.Items[3]]); },
            typeof(ArgumentException), "already exists; new items need new, distinct ids");
        yield return Engine("engine-add-repeated-new-id", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.AddItems(NewItems(c.Model, 2), ["fresh", "fresh"]); },
            typeof(ArgumentException), "Item id 'fresh' appears twice");
        yield return Engine("engine-add-row-count-mismatch", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.AddItems(NewItems(c.Model, 2), ["only-one"]); },
            typeof(ArgumentException), "There are 1 new ids but the features have 2/2 rows");
        yield return Engine("engine-add-missing-modality", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.AddItems(NewItems(c.Model, 1).Take(1).ToArray(), ["fresh"]); },
            typeof(ArgumentException), "New items need features for modality");
        yield return Engine("engine-add-wrong-dimension",
            c =>
            {
                var e = c.Own(RecommendationEngine.Create(c.Model));
                var f = NewItems(c.Model, 1);
                f[0] = new ItemModality(f[0].Name, 1, 3, [1, 2, 3]);
                return () => e.AddItems(f, ["fresh"]);
            },
            typeof(ArgumentException), "the model was trained on");
        yield return Engine("engine-add-to-lightgcn",
            c =>
            {
                var model = c.Own(SingerModelBuilder.LightGcn(SmallData.Small).WithTraining(t => t.EmbeddingSize(8)).Build());
                var e = c.Own(RecommendationEngine.Create(model));
                return () => e.AddItems(NewItems(c.Model, 1), ["fresh"]);
            },
            typeof(InvalidOperationException), "LightGCN has no semantic branch, so it cannot embed items from their features");
        yield return Engine("engine-new-item-feature-nan", _ => () => GC.KeepAlive(new ItemModality("image", 1, 2, [0.5f, float.NaN])),
            typeof(ArgumentException), "NaN");
        yield return Engine("engine-batch-threads-zero", c => () => RecommendationEngine.Create(c.Model, new RecommendationEngineOptions { BatchThreads = 0 }),
            typeof(ArgumentOutOfRangeException), "BatchThreads must be ≥ 1");
        yield return Engine("engine-candidate-count-zero", c => () => RecommendationEngine.Create(c.Model, new RecommendationEngineOptions { CandidateCount = 0 }),
            typeof(ArgumentOutOfRangeException), "CandidateCount must be ≥ 1");
        yield return Engine("engine-foldin-unknown-item", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.Recommend(["ghost"], 10); },
            typeof(UnknownItemException), "Item 'ghost' is not known to the model");
        yield return Engine("engine-foldin-null-item", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.Recommend([c.Model.Dataset.Items[0], null!], 10); },
            typeof(ArgumentException), "An item id is null");
        yield return Engine("engine-record-empty-user", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.RecordInteractions("", [c.Model.Dataset.Items[0]]); },
            typeof(ArgumentException), "The value cannot be an empty string");
        yield return Engine("engine-record-unknown-item", c => { var e = c.Own(RecommendationEngine.Create(c.Model)); return () => e.RecordInteractions("visitor", ["ghost"]); },
            typeof(UnknownItemException), "Item 'ghost' is not known to the model");

        // ---- the fused top-k kernel (Singer.Recommendation.Core.BlockedTopK) ----
        yield return Engine("topk-width-mismatch", _ => () => BlockedTopK.Select(torch.ones(2, 3), torch.ones(4, 5), 2),
            typeof(ArgumentException), "The queries are 3-d but the items are 5-d");
        yield return Engine("topk-not-2d", _ => () => BlockedTopK.Select(torch.ones(3), torch.ones(4, 3), 2),
            typeof(ArgumentException), "queries must be a 2-D [rows, d] tensor");
        yield return Engine("topk-not-float32", _ => () => BlockedTopK.Select(torch.ones(2, 3, dtype: torch.ScalarType.Float64), torch.ones(4, 3), 2),
            typeof(ArgumentException), "queries must be float32");
        yield return Engine("topk-rows-exceed-accumulator", _ => () => BlockedTopK.Accumulate(torch.ones(3, 2), torch.ones(4, 2), 0, new TopKAccumulator(2, 1)),
            typeof(ArgumentException), "Rows [0, 3) do not fit an accumulator of 2 rows");
        yield return Engine("topk-k-zero", _ => () => GC.KeepAlive(new TopKAccumulator(2, 0)),
            typeof(ArgumentOutOfRangeException), "k");
        yield return Engine("topk-exclusions-unsorted", _ => () => ColumnExclusions.FromSortedRows([0, 2], [3, 1]),
            typeof(ArgumentException), "Row 0's excluded columns are not sorted ascending");
        yield return Engine("topk-merge-shape-mismatch", _ => () => new TopKAccumulator(2, 3).Merge(new TopKAccumulator(2, 4)),
            typeof(ArgumentException), "the shapes must match");
        yield return Engine("engine-disposed", c => { var e = RecommendationEngine.Create(c.Model); e.Dispose(); return () => e.Recommend(c.Model.Dataset.Users[0]); },
            typeof(ObjectDisposedException), "RecommendationEngine");

        // ---- model files ----
        yield return ModelFile("model-missing-file", (_, _) => { }, typeof(FileNotFoundException), "Model file not found", path: c => Path.Combine(c.Folder, "absent.singer"));
        yield return ModelFile("model-empty-file", (_, p) => File.WriteAllBytes(p, []), typeof(CorruptModelFileException), "not a model archive, or truncated");
        yield return ModelFile("model-random-bytes", (_, p) => File.WriteAllBytes(p, Enumerable.Range(0, 4096).Select(i => (byte)((i * 7919) % 251)).ToArray()), typeof(CorruptModelFileException), "not a model archive");
        yield return ModelFile("model-truncated", (_, p) => { var b = File.ReadAllBytes(p); File.WriteAllBytes(p, b[..(b.Length / 2)]); }, typeof(CorruptModelFileException), "truncated");
        yield return ModelFile("model-weights-flipped", (_, p) => ModelFileSurgery.Rewrite(p, "weights.bin", b => { b[b.Length / 2] ^= 0xFF; return b; }, fixChecksum: false),
            typeof(CorruptModelFileException), "entry 'weights.bin' does not match its SHA-256 in the manifest");
        yield return ModelFile("model-ids-tampered", (_, p) => ModelFileSurgery.Rewrite(p, "ids.json", b => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(b).Replace("u00000", "mallory", StringComparison.Ordinal)), fixChecksum: false),
            typeof(CorruptModelFileException), "'ids.json' does not match its SHA-256");
        yield return ModelFile("model-manifest-missing", (_, p) => ModelFileSurgery.Remove(p, "manifest.json"), typeof(CorruptModelFileException), "the entry 'manifest.json' is missing");
        yield return ModelFile("model-manifest-not-json", (_, p) => ModelFileSurgery.Rewrite(p, "manifest.json", _ => Encoding.UTF8.GetBytes("{ this is not json"), fixChecksum: false),
            typeof(CorruptModelFileException), "the manifest is not valid JSON with a FormatVersion");
        yield return ModelFile("model-future-version", (_, p) => ModelFileSurgery.EditManifest(p, m => m["FormatVersion"] = 99),
            typeof(UnsupportedModelVersionException), "format version 99 is newer than this library reads (up to 1)");
        yield return ModelFile("model-version-zero", (_, p) => ModelFileSurgery.EditManifest(p, m => m["FormatVersion"] = 0),
            typeof(CorruptModelFileException), "format version 0 is not a valid version");
        yield return ModelFile("model-entry-missing", (_, p) => ModelFileSurgery.Remove(p, "graphs/co-interaction.bin"),
            typeof(CorruptModelFileException), "the entry 'graphs/co-interaction.bin' is missing");
        yield return ModelFile("model-dimension-changed", (_, p) => ModelFileSurgery.EditManifest(p, m => m["Modalities"]![0]!["Dimension"] = 7),
            typeof(IncompatibleModelFileException), "the manifest declares");
        yield return ModelFile("model-user-count-changed", (_, p) => ModelFileSurgery.EditManifest(p, m => m["UserCount"] = 12),
            typeof(IncompatibleModelFileException), "the manifest declares 12");
        yield return ModelFile("model-options-out-of-range", (_, p) => ModelFileSurgery.EditManifest(p, m => m["Options"]!["Training"]!["EmbeddingSize"] = 2_000_000_000),
            typeof(IncompatibleModelFileException), "TrainingOptions.EmbeddingSize: must be in [1, 4096]; got 2000000000");
        yield return ModelFile("model-options-missing-part", (_, p) => ModelFileSurgery.EditManifest(p, m => m["Options"]!["Training"] = null),
            typeof(CorruptModelFileException), "the manifest lacks a part of the options");
        yield return ModelFile("model-weights-of-another-model",
            (c, p) =>
            {
                using var other = SingerModelBuilder.Singer(c.Model.Dataset).WithTraining(t => t.EmbeddingSize(8)).Build();
                string otherPath = Path.Combine(c.Folder, "other.singer");
                other.Save(otherPath);
                byte[] foreign = ModelFileSurgery.ReadEntry(otherPath, "weights.bin");
                ModelFileSurgery.Rewrite(p, "weights.bin", _ => foreign, fixChecksum: true);
            },
            typeof(IncompatibleModelFileException), "weights.bin does not fit the declared model");
        yield return ModelFile("model-graph-header-damaged", (_, p) => ModelFileSurgery.Rewrite(p, "graphs/co-interaction.bin", b => { b[0] ^= 0x55; return b; }, fixChecksum: true),
            typeof(CorruptModelFileException), "'graphs/co-interaction.bin' is not a table of this library (bad header)");
        yield return ModelFile("model-graph-count-beyond-bytes", (_, p) => ModelFileSurgery.Rewrite(p, "graphs/co-interaction.bin", b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(12), int.MaxValue); return b; }, fixChecksum: true),
            typeof(CorruptModelFileException), "which its");
        yield return ModelFile("model-train-offsets-invalid", (_, p) => ModelFileSurgery.Rewrite(p, "train.bin", b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(20), -5); return b; }, fixChecksum: true),
            typeof(CorruptModelFileException), "train.bin has invalid row offsets at row 0");
        yield return ModelFile("model-feature-nan", (_, p) => ModelFileSurgery.Rewrite(p, "features/image.npy", b => { BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(b.Length - 4), float.NaN); return b; }, fixChecksum: true),
            typeof(CorruptModelFileException), "is NaN; features must be finite");

        // ---- training and checkpoints ----
        yield return new ApiBadInputCase("checkpoint-every-zero-epochs",
            c => () => c.Model.Fit(new CheckpointOptions(Path.Combine(c.Folder, "x.ckpt")) { EveryEpochs = 0 }),
            typeof(ArgumentOutOfRangeException), "checkpoints");
        yield return new ApiBadInputCase("checkpoint-is-a-plain-model-file",
            c =>
            {
                string path = c.SavedModel();
                var model = c.Own(SingerModelBuilder.Singer(SmallData.Small).WithTraining(t => t.MaxEpochs(5).BatchSize(1024).EmbeddingSize(32).LearningRate(5e-3)).WithSeed(5).Build());
                return () => model.Fit(new CheckpointOptions(path));
            },
            typeof(CorruptModelFileException), "is missing: this is a model file, not a training checkpoint");
        yield return new ApiBadInputCase("checkpoint-other-options",
            c =>
            {
                string path = c.SavedModel();
                var model = c.Own(SingerModelBuilder.Singer(SmallData.Small).WithTraining(t => t.MaxEpochs(1).EmbeddingSize(8)).Build());
                return () => model.Fit(new CheckpointOptions(path));
            },
            typeof(IncompatibleModelFileException), "the checkpoint was written with other options than this model's");
        yield return new ApiBadInputCase("training-diverges",
            c =>
            {
                var data = SmallData.Small;
                var huge = data.Modalities.Select(m => new ItemModality(m.Name, m.ItemCount, m.Dimension, m.Values.ToArray().Select(v => v * 1e30f).ToArray()));
                var model = c.Own(SingerModelBuilder.Singer(data.WithModalities(huge)).WithTraining(t => t.MaxEpochs(2).EmbeddingSize(8)).Build());
                return () => model.Fit();
            },
            typeof(TrainingDivergedException), "Training diverged in epoch 1: the BPR loss became");
        yield return new ApiBadInputCase("model-disposed",
            _ =>
            {
                var model = SingerModelBuilder.LightGcn(SmallData.Small).WithTraining(t => t.EmbeddingSize(8)).Build();
                model.Dispose();
                return () => model.Fit();
            },
            typeof(ObjectDisposedException), "SingerModel");
    }

    private static ItemModality[] NewItems(SingerModel model, int count) =>
        model.Dataset.Modalities.Select(m => new ItemModality(m.Name, count, m.Dimension, Enumerable.Range(0, count).SelectMany(i => m.Row(i).ToArray()).ToArray())).ToArray();

    private static ApiBadInputCase Builder(string name, Func<BadInputContext, SingerModelBuilder> builder, string fragment) =>
        new(name, c => { var b = builder(c); return () => b.Build().Dispose(); }, typeof(SingerConfigurationException), fragment);

    private static ApiBadInputCase Engine(string name, Func<BadInputContext, Action> arrange, Type exception, string fragment) =>
        new(name, arrange, exception, fragment);

    private static ApiBadInputCase ModelFile(string name, Action<BadInputContext, string> damage, Type exception, string fragment, Func<BadInputContext, string>? path = null) =>
        new(name,
            c =>
            {
                string p = path?.Invoke(c) ?? c.SavedModel();
                damage(c, p);
                return () => SingerModel.Load(p).Dispose();
            },
            exception,
            fragment);
}

using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Singer.Recommendation.Core;

using static Singer.Recommendation.Tests.BadInputs.ModelFileSurgery;

namespace Singer.Recommendation.Tests;

public sealed class ModelFileTests(TrainedSmallModel trained) : IClassFixture<TrainedSmallModel>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("singer-model-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string SavedModel()
    {
        string path = Path.Combine(_folder, $"{Guid.NewGuid():N}.singer");
        trained.Model.Save(path);
        return path;
    }

    [Fact]
    public void Save_then_load_gives_identical_recommendations_and_metrics()
    {
        string path = SavedModel();
        Directory.GetFiles(_folder, "*.tmp-*").Should().BeEmpty("the temporary file is renamed into place");
        using var loaded = SingerModel.Load(path);
        loaded.Name.Should().Be(trained.Model.Name);
        loaded.Options.Should().Be(trained.Model.Options);
        loaded.Dataset.Users.Ids.Should().Equal(trained.Model.Dataset.Users.Ids);

        using var a = RecommendationEngine.Create(trained.Model);
        using var b = RecommendationEngine.Create(loaded);
        foreach (int u in new[] { 0, 1, 17, 250 })
        {
            string id = trained.Model.Dataset.Users[u];
            b.Recommend(id, 20).Should().Equal(a.Recommend(id, 20));
        }

        // Evaluation on the original data set's test split with the loaded parameters gives the same numbers.
        var original = trained.Model.Evaluate(DataSplit.Test);
        var reloaded = RankingEvaluator.Evaluate(loaded, trained.Model.Dataset, DataSplit.Test);
        reloaded.ByK.Should().Equal(original.ByK);

        // Cold-start embedding works on a loaded model too.
        var f = loaded.Dataset.Modalities.Select(m => new ItemModality(m.Name, 1, m.Dimension, m.Row(3).ToArray())).ToArray();
        b.AddItems(f, ["fresh"]);
        b.ItemCount.Should().Be(a.ItemCount + 1);
    }

    [Fact]
    public void Options_missing_from_an_older_manifest_take_the_value_they_had_before_they_existed()
    {
        // A model saved with values that differ from the old behaviour; then the manifest loses those options, as a file
        // from an older library would. It must load as the older library meant it (projected features, semantic views,
        // one uniform negative), not with whatever the values or today's defaults are.
        var builder = SingerModelBuilder.Singer(SmallData.Small).WithTraining(t => t.EmbeddingSize(8).NegativeCandidates(3)).WithSeed(2);
        builder.SetComponent(new Encoders.SemanticEncoderOptions { Input = Encoders.SemanticInput.Both });
        builder.SetComponent(new Perturbation.PerturbationOptions { Placement = Perturbation.PerturbationPlacement.Both });
        string path = Path.Combine(_folder, "older.singer");
        using (var model = builder.Build())
        {
            model.Save(path);
            using var before = SingerModel.Load(path);
            before.Options.Should().Be(model.Options, "a complete manifest keeps every option");
        }

        EditManifest(path, manifest =>
        {
            var options = manifest["Options"]!;
            options["Semantic"]!.AsObject().Remove("Input");
            options["Perturbation"]!.AsObject().Remove("Placement");
            options["Training"]!.AsObject().Remove("NegativeCandidates");
        });
        using var loaded = SingerModel.Load(path);
        loaded.Options.Semantic.Input.Should().Be(Encoders.SemanticInput.Features);
        loaded.Options.Perturbation.Placement.Should().Be(Perturbation.PerturbationPlacement.Semantic);
        loaded.Options.Training.NegativeCandidates.Should().Be(1);
        loaded.Options.Training.EmbeddingSize.Should().Be(8, "options that are present keep their values");
    }

    [Fact]
    public void Save_to_a_stream_and_load_from_it()
    {
        using var ms = new MemoryStream();
        trained.Model.Save(ms);
        ms.Position = 0;
        using var loaded = SingerModel.Load(ms, name: "memory");
        loaded.ItemCount.Should().Be(trained.Model.ItemCount);
    }

    [Fact]
    public void A_snapshot_written_and_read_back_is_the_same_snapshot()
    {
        // ModelFile writes and reads a plain ModelSnapshot; the weights are opaque bytes to it.
        byte[] weights = [1, 2, 3, 4, 5];
        var snapshot = trained.Model.ToSnapshot(weights);
        using var first = new MemoryStream();
        ModelFile.Write(first, snapshot);
        first.Position = 0;
        var read = ModelFile.Read(first, "first").Snapshot;

        read.Model.Should().Be(snapshot.Model).And.Be("SINGER");
        read.Options.Should().Be(snapshot.Options);
        read.Weights.Should().Equal(weights);
        read.Dataset.Name.Should().Be(snapshot.Dataset.Name);
        read.Dataset.Users.Ids.Should().Equal(snapshot.Dataset.Users.Ids);
        read.Dataset.Items.Ids.Should().Equal(snapshot.Dataset.Items.Ids);
        read.Dataset.Train.RowOffsets.ToArray().Should().Equal(snapshot.Dataset.Train.RowOffsets.ToArray());
        read.Dataset.Train.ItemIndices.ToArray().Should().Equal(snapshot.Dataset.Train.ItemIndices.ToArray());
        read.Dataset.Validation.Count.Should().Be(0, "a model file keeps the training interactions only");
        read.Dataset.Test.Count.Should().Be(0);
        read.Graph.Should().NotBeNull();
        read.Graph!.Modalities.Should().Equal(snapshot.Graph!.Modalities);
        read.Graph.Beta.Should().Be(snapshot.Graph.Beta);
        SameGraph(read.Graph.CoInteraction, snapshot.Graph.CoInteraction);
        foreach (string m in snapshot.Graph.Modalities)
        {
            read.Dataset.GetModality(m).Values.ToArray().Should().Equal(snapshot.Dataset.GetModality(m).Values.ToArray());
            SameGraph(read.Graph.ModalityGraph(m), snapshot.Graph.ModalityGraph(m));
            SameGraph(read.Graph[m], snapshot.Graph[m]);
        }

        // Written again, the read snapshot gives the same entries byte for byte (the manifest included).
        using var second = new MemoryStream();
        ModelFile.Write(second, read);
        EntriesOf(second).Should().BeEquivalentTo(EntriesOf(first));

        static void SameGraph(Graphs.SparseGraph actual, Graphs.SparseGraph expected)
        {
            actual.RowCount.Should().Be(expected.RowCount);
            actual.ColumnCount.Should().Be(expected.ColumnCount);
            actual.RowOffsets.ToArray().Should().Equal(expected.RowOffsets.ToArray());
            actual.ColumnIndices.ToArray().Should().Equal(expected.ColumnIndices.ToArray());
            actual.Values.ToArray().Should().Equal(expected.Values.ToArray());
        }

        static Dictionary<string, byte[]> EntriesOf(MemoryStream stream)
        {
            stream.Position = 0;
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            return zip.Entries.ToDictionary(e => e.FullName, e =>
            {
                using var s = e.Open();
                using var copy = new MemoryStream();
                s.CopyTo(copy);
                return copy.ToArray();
            });
        }
    }

    public static TheoryData<string> Cases => new()
    {
        "empty", "random bytes", "truncated", "weights flipped", "ids tampered", "manifest missing", "manifest not json",
        "future version", "version zero", "entry missing", "dimension changed", "user count changed", "weights of another model",
        "graph header damaged",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Damaged_model_files_raise_specific_errors(string kind)
    {
        string path = SavedModel();
        var (type, fragment) = Damage(path, kind);
        var e = FluentActions.Invoking(() => SingerModel.Load(path)).Should().Throw<ModelFileException>().Which;
        e.GetType().Should().Be(type, e.Message);
        e.Message.Should().Contain(path).And.Contain(fragment);
    }

    [Fact]
    public void A_missing_file_is_a_FileNotFoundException()
    {
        FluentActions.Invoking(() => SingerModel.Load(Path.Combine(_folder, "absent.singer")))
            .Should().Throw<FileNotFoundException>().WithMessage("*absent.singer*");
    }

    private (Type Type, string Fragment) Damage(string path, string kind)
    {
        switch (kind)
        {
            case "empty":
                File.WriteAllBytes(path, []);
                return (typeof(CorruptModelFileException), "not a model archive");
            case "random bytes":
                File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(4096));
                return (typeof(CorruptModelFileException), "not a model archive");
            case "truncated":
                var all = File.ReadAllBytes(path);
                File.WriteAllBytes(path, all[..(all.Length / 2)]);
                return (typeof(CorruptModelFileException), "truncated");
            case "weights flipped":
                Rewrite(path, "weights.bin", b => { b[b.Length / 2] ^= 0xFF; return b; }, fixChecksum: false);
                return (typeof(CorruptModelFileException), "'weights.bin' does not match its SHA-256");
            case "ids tampered":
                Rewrite(path, "ids.json", b => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(b).Replace("u00000", "mallory", StringComparison.Ordinal)), fixChecksum: false);
                return (typeof(CorruptModelFileException), "'ids.json' does not match");
            case "manifest missing":
                Remove(path, "manifest.json");
                return (typeof(CorruptModelFileException), "'manifest.json' is missing");
            case "manifest not json":
                Rewrite(path, "manifest.json", _ => Encoding.UTF8.GetBytes("{ this is not json"), fixChecksum: false);
                return (typeof(CorruptModelFileException), "manifest");
            case "future version":
                EditManifest(path, m => m["FormatVersion"] = 99);
                return (typeof(UnsupportedModelVersionException), "format version 99");
            case "version zero":
                EditManifest(path, m => m["FormatVersion"] = 0);
                return (typeof(CorruptModelFileException), "format version 0");
            case "entry missing":
                Remove(path, "graphs/co-interaction.bin");
                return (typeof(CorruptModelFileException), "'graphs/co-interaction.bin' is missing");
            case "dimension changed":
                EditManifest(path, m => m["Modalities"]![0]!["Dimension"] = 7);
                return (typeof(IncompatibleModelFileException), "the manifest declares");
            case "user count changed":
                EditManifest(path, m => m["UserCount"] = 12);
                return (typeof(IncompatibleModelFileException), "the manifest declares 12");
            case "weights of another model":
                using (var other = SingerModelBuilder.Singer(SmallData.Small).WithTraining(t => t.EmbeddingSize(8)).Build())
                {
                    using var ms = new MemoryStream();
                    other.Save(ms);
                    ms.Position = 0;
                    using var zip = new ZipArchive(ms, ZipArchiveMode.Read);
                    using var s = zip.GetEntry("weights.bin")!.Open();
                    using var copy = new MemoryStream();
                    s.CopyTo(copy);
                    byte[] foreign = copy.ToArray();
                    Rewrite(path, "weights.bin", _ => foreign, fixChecksum: true);
                }

                return (typeof(IncompatibleModelFileException), "weights.bin does not fit");
            case "graph header damaged":
                Rewrite(path, "graphs/co-interaction.bin", b => { b[0] ^= 0x55; return b; }, fixChecksum: true);
                return (typeof(CorruptModelFileException), "bad header");
            default:
                throw new ArgumentException(kind);
        }
    }
}

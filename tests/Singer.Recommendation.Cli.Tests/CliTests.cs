using System.Text.Json;
using Singer.Recommendation.Core;

namespace Singer.Recommendation.Cli.Tests;

public sealed class CliTests(TrainedCliModel trained) : IClassFixture<TrainedCliModel>
{
    private string Data => trained.Folder.Path;

    private string Model => trained.ModelPath;

    [Fact]
    public void Train_json_reports_history_test_metrics_and_writes_the_model_and_the_plot()
    {
        trained.Train.ExitCode.Should().Be(0, trained.Train.Stderr);
        trained.Train.Stderr.Should().BeEmpty();
        var root = trained.Json!.RootElement;
        root.GetProperty("model").GetString().Should().Be("SINGER");
        root.GetProperty("users").GetInt32().Should().Be(150);
        root.GetProperty("epochs").GetInt32().Should().Be(2);
        root.GetProperty("history").GetArrayLength().Should().Be(2);
        root.GetProperty("history")[0].GetProperty("validationRecall20").GetDouble().Should().BeInRange(0, 1);
        var diagnostics = root.GetProperty("history")[0].GetProperty("diagnostics");
        diagnostics.GetProperty("terms").EnumerateArray().Select(t => t.GetProperty("term").GetString()).Should().Equal("BPR", "perturbation", "anchor", "alignment", "regularization");
        diagnostics.GetProperty("terms")[0].GetProperty("userGradientNorm").GetDouble().Should().BeGreaterThan(0);
        diagnostics.GetProperty("userBehaviorSemanticCosine").GetDouble().Should().BeInRange(-1, 1);
        var test = root.GetProperty("test");
        test.GetProperty("split").GetString().Should().Be("test");
        test.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("k").GetInt32()).Should().Equal(5, 10, 20, 50);
        File.Exists(Model).Should().BeTrue();
        root.GetProperty("modelBytes").GetInt64().Should().Be(new FileInfo(Model).Length);
        File.ReadAllBytes(trained.PlotPath).Take(8).Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A);
    }

    [Fact]
    public void Evaluate_on_the_training_folder_reproduces_the_test_metrics_of_train()
    {
        var result = CliRunner.Run("evaluate", "--model", Model, "--data", Data, "--json");
        result.ExitCode.Should().Be(0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var expected = trained.Json!.RootElement.GetProperty("test").GetProperty("metrics");
        var actual = json.RootElement.GetProperty("metrics");
        actual.GetArrayLength().Should().Be(expected.GetArrayLength());
        for (int n = 0; n < expected.GetArrayLength(); n++)
        {
            foreach (string name in new[] { "recall", "ndcg", "precision", "map", "hitRate" })
            {
                actual[n].GetProperty(name).GetDouble().Should().BeApproximately(expected[n].GetProperty(name).GetDouble(), 1e-9, name);
            }
        }

        json.RootElement.GetProperty("users").GetInt32().Should().Be(trained.Json.RootElement.GetProperty("test").GetProperty("users").GetInt32());
    }

    [Fact]
    public void Evaluate_prints_a_table_and_evaluates_the_validation_split_on_request()
    {
        var result = CliRunner.Run("evaluate", "--model", Model, "--data", Data, "--split", "validation");
        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Contain("validation split").And.Contain("Recall").And.Contain("HitRate");
    }

    [Fact]
    public void Recommend_leaves_out_seen_items_unless_asked()
    {
        var data = MmrecDatasetLoader.Load(Data);
        const int user = 4;
        var seen = data.Train.ItemsOf(user).ToArray().Select(i => data.Items[i]).ToHashSet();

        var result = CliRunner.Run("recommend", "--model", Model, "--user", data.Users[user], "-k", "7", "--json");
        result.ExitCode.Should().Be(0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var items = json.RootElement.GetProperty("items").EnumerateArray().ToArray();
        items.Should().HaveCount(7);
        items.Select(i => i.GetProperty("rank").GetInt32()).Should().Equal(1, 2, 3, 4, 5, 6, 7);
        items.Select(i => i.GetProperty("score").GetSingle()).Should().BeInDescendingOrder();
        items.Select(i => i.GetProperty("itemId").GetString()).Should().NotIntersectWith(seen);

        var all = CliRunner.Run("recommend", "--model", Model, "--user", data.Users[user], "--top", "100", "--include-seen", "--json");
        all.ExitCode.Should().Be(0, all.Stderr);
        using var allJson = JsonDocument.Parse(all.Stdout);
        allJson.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()).Should().Contain(seen);
    }

    [Fact]
    public void Recommend_prints_a_table()
    {
        var result = CliRunner.Run("recommend", "--model", Model, "--user", "0", "-k", "3");
        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Contain("Top 3 items for user 0").And.Contain("score");
    }

    [Fact]
    public async Task Recommend_all_users_writes_a_parquet_file_equal_to_single_recommendations()
    {
        string output = Path.Combine(Data, "recs.parquet");
        var result = CliRunner.Run("recommend", "--model", Model, "--all-users", "-k", "5", "--out", output, "--batch-size", "64", "--json");
        result.ExitCode.Should().Be(0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("users").GetInt32().Should().Be(150);
        json.RootElement.GetProperty("rows").GetInt32().Should().Be(150 * 5);

        // The first user's rows equal `recommend --user` for that user.
        await using var file = File.OpenRead(output);
        var rows = (await Parquet.Serialization.ParquetSerializer.DeserializeUntypedAsync(file)).Data;
        rows.Should().HaveCount(750);
        string first = (string)rows[0]["user_id"]!;
        var single = CliRunner.Run("recommend", "--model", Model, "--user", first, "-k", "5", "--json");
        using var singleJson = JsonDocument.Parse(single.Stdout);
        rows.Take(5).Select(r => (string)r["item_id"]!).Should().Equal(
            singleJson.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()));

        var text = CliRunner.Run("recommend", "--model", Model, "--all-users", "-k", "3", "--out", Path.Combine(Data, "recs3.parquet"));
        text.ExitCode.Should().Be(0, text.Stderr);
        text.Stdout.Should().Contain("150 users × top 3 = 450 rows");
    }

    [Fact]
    public void Graph_reports_statistics_per_modality_and_accepts_the_k_spellings()
    {
        var result = CliRunner.Run("graph", "--data", Data, "--k", "4", "--coint-k", "3", "--beta", "0.5", "--json");
        result.ExitCode.Should().Be(0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        root.GetProperty("k").GetInt32().Should().Be(4);
        root.GetProperty("beta").GetSingle().Should().Be(0.5f);
        var modalities = root.GetProperty("modalities").EnumerateArray().ToArray();
        modalities.Select(m => m.GetProperty("modality").GetString()).Should().BeEquivalentTo("image", "text");
        foreach (var m in modalities)
        {
            m.GetProperty("modalityEdges").GetInt32().Should().Be(4 * m.GetProperty("itemCount").GetInt32());
            m.GetProperty("fusedEdges").GetInt32().Should().BeGreaterThan(0);
        }

        var table = CliRunner.Run("graph", "--data", Data, "-k", "4");
        table.ExitCode.Should().Be(0, table.Stderr);
        table.Stdout.Should().Contain("fused entries").And.Contain("degree histogram 'image'");
    }

    [Fact]
    public void Every_configuration_problem_of_a_checked_train_option_is_named_by_that_option()
    {
        var data = SyntheticDataGenerator.Generate(new SyntheticDataOptions { Users = 40, Items = 60, Interactions = 600 });
        var s = new Commands.TrainSettings
        {
            Data = "d",
            Out = "x.singer",
            LearningRate = 0,
            BatchSize = 0,
            Epochs = 0,
            Patience = 0,
            EmbeddingSize = 0,
            L2 = -1,
            NegativeCandidates = 0,
            MaxStepsPerEpoch = 0,
            BehaviorLayers = 99,
            SemanticLayers = 99,
            Modalities = "no-such-modality",
            Epsilon = 99,
            LambdaP = -1,
            LambdaA = -1,
            LambdaS = -1,
            Tau = 0,
            ContrastiveRows = "1",
            WarmupEpochs = -1,
            Beta = 2,
            K = 0,
            CoInteractionK = -1,
        };
        s.Validate().Successful.Should().BeTrue(s.Validate().Message);

        var problems = Commands.TrainCommand.Configure(s, data).Validate().Select(Commands.TrainCommand.InCliTerms).ToArray();

        problems.Select(p => p.Option).Should().OnlyContain(o => o.StartsWith("--", StringComparison.Ordinal), "every problem is named by its flag")
            .And.Contain(["--lr", "--batch-size", "--epochs", "--patience", "--embedding-size", "--l2", "--negative-candidates", "--max-steps-per-epoch",
                "--behavior-layers", "--semantic-layers", "--modalities", "--eps", "--lambda-p", "--lambda-a", "--lambda-s", "--tau",
                "--contrastive-rows", "--warmup-epochs"]);
        problems.Single(p => p.Option == "--max-steps-per-epoch").Message.Should()
            .Be("must be ≥ 1 (leave the option out for no limit); got 0.", "a command-line user has no null to give");
    }

    [Fact]
    public void A_bad_graph_option_is_named_by_its_command_line_option_and_exits_with_2()
    {
        var result = CliRunner.Run("graph", "--data", Data, "--beta", "1.5", "--coint-k", "0");
        result.ExitCode.Should().Be(ExitCodes.Usage, result.Stderr);
        result.Stderr.Should().Contain("graph configuration has 2 problems").And.Contain("--beta: ").And.Contain("--coint-k: ").And.NotContain("SemanticGraphOptions");
    }

    [Theory]
    [InlineData("unknown-command")]
    [InlineData("train", "--data")]
    [InlineData("train", "--out", "x.singer")]
    [InlineData("train", "--data", "d", "--out", "x.singer", "--model", "bpr")]
    [InlineData("train", "--data", "d", "--out", "x.singer", "--model", "lightgcn", "--beta", "0.5")]
    [InlineData("train", "--data", "d", "--out", "x.singer", "--preset", "lightgcn", "--semantic-layers", "3")]
    [InlineData("train", "--data", "d", "--out", "x.singer", "--preset", "best")]
    [InlineData("train", "--data", "d", "--out", "x.singer", "--preset", "paper", "--model", "singer")]
    [InlineData("train", "--data", "d", "--out", "x.singer", "--contrastive-rows", "some")]
    [InlineData("train", "--data", "d", "--out", "x.singer", "--checkpoint-every", "2")]
    [InlineData("train", "--data", "d", "--out", "x.singer", "--epochs", "many")]
    [InlineData("train", "--data", "d", "--out", "x.singer", "--no-such-option")]
    [InlineData("evaluate", "--model", "m", "--data", "d", "--split", "train")]
    [InlineData("recommend", "--model", "m", "--user", "1", "-k", "0")]
    [InlineData("recommend", "--model", "m", "--all-users")]
    [InlineData("recommend", "--model", "m", "--all-users", "--user", "1", "--out", "x.parquet")]
    [InlineData("recommend", "--model", "m", "--user", "1", "--out", "x.parquet")]
    public void Bad_usage_exits_with_2_and_one_message_on_stderr(params string[] args)
    {
        var result = CliRunner.Run(args);
        result.ExitCode.Should().Be(ExitCodes.Usage, result.Stderr);
        result.Stdout.Should().BeEmpty();
        result.Stderr.Should().StartWith("singer: ");
    }

    [Fact]
    public void Presets_resolve_to_the_library_presets_and_options_change_single_settings()
    {
        var data = SyntheticDataGenerator.Generate(new SyntheticDataOptions { Users = 40, Items = 60, Interactions = 600 });
        static Commands.TrainSettings Settings(params (string Name, object Value)[] set)
        {
            var s = new Commands.TrainSettings { Data = "d", Out = "x.singer" };
            foreach (var (name, value) in set)
            {
                typeof(Commands.TrainSettings).GetProperty(name)!.SetValue(s, value);
            }

            s.Validate().Successful.Should().BeTrue();
            return s;
        }

        Commands.TrainCommand.Configure(Settings(), data).ResolveOptions().Should().Be(new SingerModelBuilder().WithDataset(data).ResolveOptions(), "no options = the defaults");
        Commands.TrainCommand.Configure(Settings(("Preset", "paper")), data).ResolveOptions().Should().Be(SingerModelBuilder.Paper(data).ResolveOptions());
        Commands.TrainCommand.Configure(Settings(("Preset", "lightgcn")), data).ResolveOptions().Should().Be(SingerModelBuilder.LightGcn(data).ResolveOptions());
        Commands.TrainCommand.Configure(Settings(("Model", "lightgcn")), data).ResolveOptions().Should().Be(SingerModelBuilder.LightGcn(data).ResolveOptions(), "--model is the older name");

        var paper = SingerModelBuilder.Paper(data).ResolveOptions();
        var changed = Commands.TrainCommand.Configure(Settings(("Preset", "paper"), ("SemanticLayers", (int?)3), ("ContrastiveRows", "64"), ("Tau", (float?)0.5f)), data).ResolveOptions();
        changed.Should().Be(paper with
        {
            Semantic = paper.Semantic with { Layers = 3 },
            Alignment = paper.Alignment with { ContrastiveRows = 64, Temperature = 0.5f },
        }, "each option changes its one setting and keeps the rest of the preset");
        Commands.TrainCommand.Configure(Settings(("ContrastiveRows", "all")), data).ResolveOptions().Alignment.ContrastiveRows.Should().BeNull();

        var growth = Commands.TrainCommand.Configure(Settings(("MaxStepsPerEpoch", (int?)40), ("RetainNativeMemory", (bool?)false)), data).ResolveOptions();
        var defaults = new SingerModelBuilder().WithDataset(data).ResolveOptions();
        defaults.Training.MaxStepsPerEpoch.Should().BeNull("no limit by default");
        defaults.Training.RetainNativeMemory.Should().BeTrue();
        growth.Should().Be(defaults with { Training = defaults.Training with { MaxStepsPerEpoch = 40, RetainNativeMemory = false } });
    }

    [Fact]
    public void Every_research_option_reaches_its_builder_setting()
    {
        var data = SyntheticDataGenerator.Generate(new SyntheticDataOptions { Users = 40, Items = 60, Interactions = 600 });
        var s = new Commands.TrainSettings
        {
            Data = "d",
            Out = "x.singer",
            SemanticInput = "item-ids",
            LayerCombination = "mean",
            IdTable = "separate",
            SelfLoops = true,
            KnnWeight = "binary",
            CoInteractionWeighting = "jaccard",
            Fusion = "learned",
            Modalities = "text",
            PerturbationPlacement = "both",
            PerturbationMode = "inverse",
            PerturbationScale = "relative",
            ContrastiveSelection = "users-and-positives",
            AlignmentDirection = "behavior-to-semantic",
            AlignmentStopGradient = "semantic",
            AnchorStopGradient = false,
            WarmupEpochs = 7,
        };
        s.Validate().Successful.Should().BeTrue();
        var o = Commands.TrainCommand.Configure(s, data).ResolveOptions();
        o.Semantic.Input.Should().Be(Encoders.SemanticInput.ItemIds);
        o.Semantic.Combination.Should().Be(Encoders.LayerCombination.Mean);
        o.Semantic.IdTable.Should().Be(Encoders.SemanticIdTable.Separate);
        o.Semantic.LearnableFusion.Should().BeTrue();
        o.Semantic.Modalities.Should().Equal("text");
        o.Graph.Knn.IncludeSelf.Should().BeTrue();
        o.Graph.Knn.Weight.Should().Be(Graphs.KnnEdgeWeight.Binary);
        o.Graph.CoInteractionWeighting.Should().Be(Graphs.CoInteractionWeighting.Jaccard);
        o.Perturbation.Placement.Should().Be(Perturbation.PerturbationPlacement.Both);
        o.Perturbation.Mode.Should().Be(Perturbation.PerturbationMode.Inverse);
        o.Perturbation.Scale.Should().Be(Perturbation.PerturbationScale.Relative);
        o.Alignment.Rows.Should().Be(Losses.ContrastiveRowSelection.UsersAndPositives);
        o.Alignment.Direction.Should().Be(Losses.AlignmentDirection.BehaviorToSemantic);
        o.Alignment.StandardStopGradient.Should().Be(Losses.AlignmentStopGradient.Semantic);
        o.Alignment.StopAnchorGradient.Should().BeFalse();
        o.Alignment.WarmupEpochs.Should().Be(7);

        var gated = new Commands.TrainSettings { Data = "d", Out = "x", SemanticInput = "gated" };
        Commands.TrainCommand.Configure(gated, data).ResolveOptions().Semantic.Input.Should().Be(Encoders.SemanticInput.GatedItemIds);
        var wrong = new Commands.TrainSettings { Data = "d", Out = "x", SemanticInput = "pixels" }.Validate();
        wrong.Successful.Should().BeFalse();
        wrong.Message.Should().Be("--semantic-input must be features, item-ids, both or gated; got 'pixels'.");
    }

    [Fact]
    public void An_invalid_model_configuration_lists_every_problem_and_exits_with_2()
    {
        var result = CliRunner.Run("train", "--data", Data, "--out", Path.Combine(Data, "never.singer"), "--beta", "1.5", "--lr", "-1", "--json");
        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Stdout.Should().BeEmpty();
        result.Stderr.Should().Contain("2 problems").And.Contain("--beta: must be in [0, 1]; got 1.5").And.Contain("--lr: must be in (0, 10]")
            .And.NotContain("SemanticGraphOptions").And.NotContain("TrainingOptions", "the message names the command-line options");
        File.Exists(Path.Combine(Data, "never.singer")).Should().BeFalse();
    }

    [Fact]
    public void An_unknown_user_exits_with_2()
    {
        var result = CliRunner.Run("recommend", "--model", Model, "--user", "no-such-user");
        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Stderr.Should().Contain("User 'no-such-user' is not known").And.Contain("--user").And.NotContain("UnknownUserPolicy");
    }

    [Fact]
    public void Data_and_model_file_errors_exit_with_3()
    {
        var missing = CliRunner.Run("graph", "--data", Path.Combine(Data, "absent"));
        missing.ExitCode.Should().Be(ExitCodes.DataError);
        missing.Stderr.Should().Contain("MMRec data folder not found");

        string bad = Path.Combine(Data, "damaged.singer");
        File.WriteAllText(bad, "not a model");
        var damaged = CliRunner.Run("recommend", "--model", bad, "--user", "0");
        damaged.ExitCode.Should().Be(ExitCodes.DataError);
        damaged.Stderr.Should().StartWith($"singer: Model file {bad}:");
        damaged.Stderr.TrimEnd().Should().NotContain("\n", "a model file error is one line");

        var absent = CliRunner.Run("evaluate", "--model", Path.Combine(Data, "absent.singer"), "--data", Data);
        absent.ExitCode.Should().Be(ExitCodes.DataError);
    }

    [Fact]
    public void Evaluating_on_a_folder_with_other_counts_is_a_clear_data_error()
    {
        using var other = new MmrecFolder(TrainedCliModel.Options with { Users = 120, Seed = 4 });
        var result = CliRunner.Run("evaluate", "--model", Model, "--data", other.Path);
        result.ExitCode.Should().Be(ExitCodes.DataError);
        result.Stderr.Should().Contain("users").And.Contain("trained on").And.Contain("150 users");
    }

    [Fact]
    public void Help_lists_the_commands_and_the_exit_codes()
    {
        var result = CliRunner.Run("--help");
        result.ExitCode.Should().Be(0);
        result.Stdout.Should().Contain("train").And.Contain("evaluate").And.Contain("recommend").And.Contain("graph").And.Contain("EXIT CODES");
        var train = CliRunner.Run("train", "--help");
        train.ExitCode.Should().Be(0);
        train.Stdout.Should().Contain("--checkpoint-every").And.Contain("--lambda-p").And.Contain("--contrastive-rows");
    }

    [Fact]
    public void Ctrl_c_before_the_first_epoch_still_saves_a_model_and_exits_with_130()
    {
        string path = Path.Combine(Data, "cancelled.singer");
        var result = CliRunner.Run(c => c.Cancel(), "train", "--data", Data, "--model", "lightgcn", "--epochs", "2", "--embedding-size", "8", "--out", path);
        result.ExitCode.Should().Be(ExitCodes.Cancelled, result.Stderr);
        result.Stderr.Should().Contain("interrupted");
        File.Exists(path).Should().BeTrue();
    }

    [Fact]
    public void A_checkpointed_run_resumes_to_the_same_result()
    {
        string checkpoint = Path.Combine(Data, "run.ckpt");
        string[] common = ["train", "--data", Data, "--model", "lightgcn", "--embedding-size", "8", "--batch-size", "512", "--checkpoint", checkpoint, "--json"];
        var first = CliRunner.Run([.. common, "--epochs", "1", "--out", Path.Combine(Data, "one.singer")]);
        first.ExitCode.Should().Be(0, first.Stderr);
        File.Exists(checkpoint).Should().BeTrue();

        // A complete checkpoint resumed with the same budget trains nothing more and gives the same model.
        var resumed = CliRunner.Run([.. common, "--epochs", "1", "--out", Path.Combine(Data, "two.singer")]);
        resumed.ExitCode.Should().Be(0, resumed.Stderr);
        using var a = JsonDocument.Parse(first.Stdout);
        using var b = JsonDocument.Parse(resumed.Stdout);
        b.RootElement.GetProperty("epochs").GetInt32().Should().Be(1);
        b.RootElement.GetProperty("test").GetRawText().Should().Be(a.RootElement.GetProperty("test").GetRawText());

        // The epoch budget may grow on resume: 1 epoch + 2 resumed epochs = an uninterrupted 3-epoch run.
        var extended = CliRunner.Run([.. common, "--epochs", "3", "--out", Path.Combine(Data, "three.singer")]);
        extended.ExitCode.Should().Be(0, extended.Stderr);
        string straightCheckpoint = Path.Combine(Data, "straight.ckpt");
        var straight = CliRunner.Run(["train", "--data", Data, "--model", "lightgcn", "--embedding-size", "8", "--batch-size", "512",
            "--checkpoint", straightCheckpoint, "--json", "--epochs", "3", "--out", Path.Combine(Data, "straight.singer")]);
        straight.ExitCode.Should().Be(0, straight.Stderr);
        using var e = JsonDocument.Parse(extended.Stdout);
        using var s = JsonDocument.Parse(straight.Stdout);
        e.RootElement.GetProperty("epochs").GetInt32().Should().Be(3);
        e.RootElement.GetProperty("test").GetRawText().Should().Be(s.RootElement.GetProperty("test").GetRawText());

        // Other model options do not match the checkpoint: a data error that names --restart.
        var other = CliRunner.Run([.. common.Select(x => x == "8" ? "16" : x), "--epochs", "3", "--out", Path.Combine(Data, "four.singer")]);
        other.ExitCode.Should().Be(ExitCodes.DataError);
        other.Stderr.Should().Contain("other options").And.Contain("--restart");

        var restarted = CliRunner.Run([.. common.Select(x => x == "8" ? "16" : x), "--epochs", "3", "--restart", "--out", Path.Combine(Data, "four.singer")]);
        restarted.ExitCode.Should().Be(0, restarted.Stderr);
        using var c = JsonDocument.Parse(restarted.Stdout);
        c.RootElement.GetProperty("epochs").GetInt32().Should().Be(3);
    }
}

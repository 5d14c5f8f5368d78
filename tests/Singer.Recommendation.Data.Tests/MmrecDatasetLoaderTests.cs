using System.Globalization;
using System.Text;
using Singer.Recommendation.Data.Tests.Helpers;

namespace Singer.Recommendation.Data.Tests;

public sealed class MmrecDatasetLoaderTests : IDisposable
{
    private const string Header = "userID\titemID\trating\ttimestamp\tx_label\n";

    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    // 3 users, items 0..4 (item 2 never appears, but item 4 does, so there are 5 items).
    private const string Inter =
        Header +
        "0\t0\t5\t100\t0\n" +
        "0\t1\t3\t101\t0\n" +
        "1\t1\t4\t102\t0\n" +
        "1\t4\t2\t103\t1\n" +
        "2\t3\t1\t104\t2\n" +
        "0\t3\t5\t105\t2\n";

    [Fact]
    public void Loads_splits_by_x_label_with_the_ids_as_indices()
    {
        _dir.WriteText("baby.inter", Inter);

        var ds = MmrecDatasetLoader.Load(_dir.Path);

        ds.Name.Should().Be("baby");
        (ds.UserCount, ds.ItemCount).Should().Be((3, 5), "largest id + 1, even though item 2 has no interaction");
        ds.Users.Ids.Should().Equal("0", "1", "2");
        ds.Train.ItemsOf(0).ToArray().Should().Equal(0, 1);
        ds.Train.ItemsOf(1).ToArray().Should().Equal(1);
        ds.Validation.ItemsOf(1).ToArray().Should().Equal(4);
        ds.Test.ItemsOf(0).ToArray().Should().Equal(3);
        ds.Test.ItemsOf(2).ToArray().Should().Equal(3);
        (ds.Train.Count, ds.Validation.Count, ds.Test.Count).Should().Be((3, 1, 2));
        ds.Modalities.Should().BeEmpty();
    }

    [Fact]
    public void Finds_columns_by_name_and_accepts_CRLF_blank_lines_and_extra_columns()
    {
        _dir.WriteText("x.inter", "x_label\tnote\titemID\tuserID\r\n0\thello\t2\t1\r\n\r\n2\tbye\t0\t0\r\n");

        var ds = MmrecDatasetLoader.Load(_dir.Path);

        (ds.UserCount, ds.ItemCount).Should().Be((2, 3));
        ds.Train.Contains(1, 2).Should().BeTrue();
        ds.Test.Contains(0, 0).Should().BeTrue();
    }

    [Fact]
    public void Modalities_are_named_after_their_feat_files_in_name_order()
    {
        _dir.WriteText("baby.inter", Inter);
        NpyFile.Write(_dir.File("text_feat.npy"), 5, 3, Enumerable.Range(0, 15).Select(i => (float)i).ToArray());
        NpyFile.Write(_dir.File("image_feat.npy"), 5, 2, new float[10]);
        NpyFile.Write(_dir.File("ignored.npy"), 1, 1, [1f]);
        _dir.WriteText("notes_feat.txt", "not a feature file");

        var ds = MmrecDatasetLoader.Load(_dir.Path);

        MmrecDatasetLoader.FindModalities(_dir.Path).Should().Equal("image", "text");
        ds.Modalities.Select(m => (m.Name, m.ItemCount, m.Dimension)).Should().Equal(("image", 5, 2), ("text", 5, 3));
        ds.GetModality("text").Row(4).ToArray().Should().Equal(12f, 13f, 14f);
    }

    [Fact]
    public void Modalities_option_selects_and_orders_the_modalities()
    {
        _dir.WriteText("baby.inter", Inter);
        NpyFile.Write(_dir.File("text_feat.npy"), 5, 3, new float[15]);
        NpyFile.Write(_dir.File("image_feat.npy"), 5, 2, new float[10]);

        var onlyText = MmrecDatasetLoader.Load(_dir.Path, new MmrecLoadOptions { Modalities = ["text"] });
        var reversed = MmrecDatasetLoader.Load(_dir.Path, new MmrecLoadOptions { Modalities = ["text", "image"] });
        var none = MmrecDatasetLoader.Load(_dir.Path, new MmrecLoadOptions { Modalities = [] });

        onlyText.Modalities.Select(m => m.Name).Should().Equal("text");
        reversed.Modalities.Select(m => m.Name).Should().Equal("text", "image");
        none.Modalities.Should().BeEmpty();
    }

    [Fact]
    public void Name_option_chooses_among_several_inter_files()
    {
        _dir.WriteText("baby.inter", Inter);
        _dir.WriteText("sports.inter", Header + "0\t0\t1\t1\t0\n");

        var ds = MmrecDatasetLoader.Load(_dir.Path, new MmrecLoadOptions { Name = "sports" });

        ds.Name.Should().Be("sports");
        (ds.UserCount, ds.ItemCount).Should().Be((1, 1));
    }

    [Fact]
    public void A_data_set_written_in_the_MMRec_layout_loads_back_identically()
    {
        var original = SyntheticDataGenerator.Generate(new SyntheticDataOptions { Users = 120, Items = 80, Interactions = 1_500, Seed = 4 });
        WriteMmrec(original, _dir.Path, "synthetic");

        var back = MmrecDatasetLoader.Load(_dir.Path);

        (back.UserCount, back.ItemCount).Should().Be((original.UserCount, original.ItemCount));
        foreach (var split in new[] { DataSplit.Train, DataSplit.Validation, DataSplit.Test })
        {
            back.GetSplit(split).RowOffsets.ToArray().Should().Equal(original.GetSplit(split).RowOffsets.ToArray());
            back.GetSplit(split).ItemIndices.ToArray().Should().Equal(original.GetSplit(split).ItemIndices.ToArray());
        }

        back.Modalities.Select(m => m.Name).Should().Equal("image", "text");
        back.GetModality("image").Values.ToArray().Should().Equal(original.GetModality("image").Values.ToArray());
        back.GetModality("text").Values.ToArray().Should().Equal(original.GetModality("text").Values.ToArray());
    }

    [SkippableFact]
    public void Real_ml100k_feature_rows_equal_the_item_count()
    {
        var ds = Singer.Recommendation.Testing.TestData.Ml100k();

        ds.Modalities.Should().OnlyContain(m => m.ItemCount == ds.ItemCount);
        ds.GetModality("genre").Values.ToArray().Should().OnlyContain(v => v == 0f || v == 1f, "genre is multi-hot");
        ds.ItemPopularity.ToArray().Sum().Should().Be(ds.Train.Count, "popularity counts training interactions only");
    }

    /// <summary>Writes <paramref name="ds"/> as <c>name.inter</c> + <c>*_feat.npy</c> (ids are the internal indices).</summary>
    internal static void WriteMmrec(InteractionDataset ds, string folder, string name)
    {
        var sb = new StringBuilder(Header);
        foreach (var split in new[] { DataSplit.Train, DataSplit.Validation, DataSplit.Test })
        {
            var m = ds.GetSplit(split);
            for (int u = 0; u < m.UserCount; u++)
            {
                foreach (int i in m.ItemsOf(u))
                {
                    sb.Append(CultureInfo.InvariantCulture, $"{u}\t{i}\t5\t0\t{(int)split}\n");
                }
            }
        }

        File.WriteAllText(Path.Combine(folder, name + ".inter"), sb.ToString());
        foreach (var modality in ds.Modalities)
        {
            NpyFile.Write(Path.Combine(folder, modality.Name + "_feat.npy"), modality);
        }
    }
}

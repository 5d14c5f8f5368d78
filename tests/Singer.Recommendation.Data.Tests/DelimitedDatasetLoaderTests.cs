using System.Text;
using Singer.Recommendation.Data.Tests.Helpers;

namespace Singer.Recommendation.Data.Tests;

public sealed class DelimitedDatasetLoaderTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly DelimitedLoadOptions WithSplit = new() { SplitColumn = "split" };

    [Fact]
    public void String_ids_get_indices_in_order_of_first_appearance()
    {
        string path = _dir.WriteText("log.csv", "user,item,split\nbob,x9,train\nalice,x1,test\nbob,x1,valid\n");

        var ds = DelimitedDatasetLoader.Load(path, WithSplit);

        ds.Name.Should().Be("log");
        ds.Users.Ids.Should().Equal("bob", "alice");
        ds.Items.Ids.Should().Equal("x9", "x1");
        ds.Train.Contains(ds.Users.IndexOf("bob"), ds.Items.IndexOf("x9")).Should().BeTrue();
        ds.Validation.Contains(0, 1).Should().BeTrue();
        ds.Test.Contains(1, 1).Should().BeTrue();
    }

    [Theory]
    [InlineData("log.tsv", null, "\t")]
    [InlineData("log.txt", null, "\t")]
    [InlineData("log.inter", null, "\t")]
    [InlineData("log.csv", null, ",")]
    [InlineData("log.dat", ';', ";")]
    [InlineData("log.tsv", '|', "|")]
    public void The_separator_follows_the_extension_unless_given(string file, char? separator, string used)
    {
        string path = _dir.WriteText(file, $"user{used}item{used}split\nu1{used}i1{used}0\nu1{used}i2{used}2\n");

        var ds = DelimitedDatasetLoader.Load(path, WithSplit with { Separator = separator });

        (ds.UserCount, ds.ItemCount, ds.Train.Count, ds.Test.Count).Should().Be((1, 2, 1, 1));
    }

    [Fact]
    public void Column_names_are_configurable_and_other_columns_are_ignored()
    {
        string path = _dir.WriteText("log.csv", "ts,comment,iid,uid,stars,fold\n5,hello,i1,u1,4.5,0\n6,,i2,u1,1,2\n");

        var ds = DelimitedDatasetLoader.Load(path, new DelimitedLoadOptions
        {
            UserColumn = "uid",
            ItemColumn = "iid",
            RatingColumn = "stars",
            TimestampColumn = "ts",
            SplitColumn = "fold",
            Name = "mine",
        });

        ds.Name.Should().Be("mine");
        ds.Users.Ids.Should().Equal("u1");
        ds.Items.Ids.Should().Equal("i1", "i2");
        (ds.Train.Count, ds.Test.Count).Should().Be((1, 1));
    }

    [Fact]
    public void Quoted_fields_may_hold_separators_quotes_and_spaces()
    {
        string path = _dir.WriteText(
            "log.csv",
            "user,item,split\n" +
            "\"smith, john\",\"the \"\"best\"\" item\",train\n" +
            "  bob  ,\"  padded  \",test\n");

        var ds = DelimitedDatasetLoader.Load(path, WithSplit);

        ds.Users.Ids.Should().Equal("smith, john", "bob");
        ds.Items.Ids.Should().Equal("the \"best\" item", "  padded  ");
    }

    [Fact]
    public void A_byte_order_mark_does_not_hide_the_first_column()
    {
        string path = _dir.File("bom.csv");
        File.WriteAllText(path, "user,item,split\nu1,i1,0\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        DelimitedDatasetLoader.Load(path, WithSplit).Users.Ids.Should().Equal("u1");
    }

    [Fact]
    public void The_rating_filter_drops_rows_below_the_minimum_and_their_unseen_ids()
    {
        string path = _dir.WriteText("r.csv", "user,item,rating,split\nu1,i1,5,0\nu1,i2,3.5,0\nu2,i3,1,0\nu1,i4,4,2\n");

        var ds = DelimitedDatasetLoader.Load(path, WithSplit with { RatingColumn = "rating", MinRating = 4 });

        ds.Users.Ids.Should().Equal("u1");
        ds.Items.Ids.Should().Equal("i1", "i4");
        (ds.Train.Count, ds.Test.Count).Should().Be((1, 1));
    }

    [Fact]
    public void Split_labels_are_case_insensitive_and_can_be_replaced()
    {
        string path = _dir.WriteText("l.csv", "user,item,split\nu1,i1,TRAIN\nu1,i2,Validation\nu1,i3,2\nu1,i4,1\n");
        var ds = DelimitedDatasetLoader.Load(path, WithSplit);
        (ds.Train.Count, ds.Validation.Count, ds.Test.Count).Should().Be((1, 2, 1));

        string custom = _dir.WriteText("c.csv", "user,item,split\nu1,i1,fit\nu1,i2,holdout\n");
        var labels = new Dictionary<string, DataSplit> { ["fit"] = DataSplit.Train, ["holdout"] = DataSplit.Test };
        var ds2 = DelimitedDatasetLoader.Load(custom, WithSplit with { SplitLabels = labels });
        (ds2.Train.Count, ds2.Test.Count).Should().Be((1, 1));
    }

    [Fact]
    public void Without_a_split_column_the_splitter_assigns_the_splits_with_the_seed()
    {
        var sb = new StringBuilder("user,item\n");
        for (int i = 0; i < 57; i++)
        {
            sb.Append("a,item").Append(i).Append('\n');
        }

        for (int i = 0; i < 3; i++)
        {
            sb.Append("b,item").Append(i).Append('\n');
        }

        string path = _dir.WriteText("nosplit.csv", sb.ToString());

        var ds = DelimitedDatasetLoader.Load(path);
        var again = DelimitedDatasetLoader.Load(path);
        var otherSeed = DelimitedDatasetLoader.Load(path, new DelimitedLoadOptions { SplitSeed = 7 });

        int a = ds.Users.IndexOf("a"), b = ds.Users.IndexOf("b");
        (ds.Train.CountOf(a), ds.Validation.CountOf(a), ds.Test.CountOf(a)).Should().Be((46, 5, 6));
        (ds.Train.CountOf(b), ds.Validation.CountOf(b), ds.Test.CountOf(b)).Should().Be((1, 1, 1));
        again.Test.ItemIndices.ToArray().Should().Equal(ds.Test.ItemIndices.ToArray());
        otherSeed.Test.ItemIndices.ToArray().Should().NotEqual(ds.Test.ItemIndices.ToArray());
    }

    [Fact]
    public void A_data_set_written_as_CSV_with_its_split_loads_back_identically()
    {
        var original = SyntheticDataGenerator.Generate(new SyntheticDataOptions { Users = 100, Items = 60, Interactions = 1_000, Seed = 2 });
        var sb = new StringBuilder("user\titem\tsplit\n");
        foreach (var split in new[] { DataSplit.Test, DataSplit.Train, DataSplit.Validation })
        {
            var m = original.GetSplit(split);
            for (int u = 0; u < m.UserCount; u++)
            {
                foreach (int i in m.ItemsOf(u))
                {
                    sb.Append(original.Users[u]).Append('\t').Append(original.Items[i]).Append('\t').Append(split.ToString().ToLowerInvariant()).Append('\n');
                }
            }
        }

        string path = _dir.WriteText("round.tsv", sb.ToString());

        var back = DelimitedDatasetLoader.Load(path, WithSplit);

        foreach (var split in new[] { DataSplit.Train, DataSplit.Validation, DataSplit.Test })
        {
            var pairs = Pairs(back, back.GetSplit(split));
            pairs.Should().BeEquivalentTo(Pairs(original, original.GetSplit(split)), $"the {split} interactions");
        }
    }

    private static HashSet<(string, string)> Pairs(InteractionDataset ds, UserItemMatrix m)
    {
        var set = new HashSet<(string, string)>();
        for (int u = 0; u < m.UserCount; u++)
        {
            foreach (int i in m.ItemsOf(u))
            {
                set.Add((ds.Users[u], ds.Items[i]));
            }
        }

        return set;
    }
}

namespace Singer.Recommendation.Data.Tests;

/// <summary>The embedded default data: seeded, about 40,000 interactions, power-law popularity, an informative and a weak modality.</summary>
public sealed class SyntheticDataGeneratorTests
{
    private static readonly Lazy<InteractionDataset> Default = new(() => SyntheticDataGenerator.Generate());

    [Fact]
    public void Defaults_have_the_documented_shape()
    {
        var ds = Default.Value;
        int total = ds.Train.Count + ds.Validation.Count + ds.Test.Count;

        ds.Name.Should().Be("synthetic");
        (ds.UserCount, ds.ItemCount).Should().Be((2_000, 1_000));
        total.Should().BeInRange(38_000, 42_000, "the target is 40,000 within a few percent");
        ds.Modalities.Select(m => (m.Name, m.Dimension)).Should().Equal(("image", 64), ("text", 32));
        ds.Users[0].Should().Be("u00000");
        ds.Items[999].Should().Be("i00999");
        for (int u = 0; u < ds.UserCount; u++)
        {
            int n = ds.Train.CountOf(u) + ds.Validation.CountOf(u) + ds.Test.CountOf(u);
            n.Should().BeGreaterThanOrEqualTo(5);
            (ds.Train.CountOf(u), ds.Validation.CountOf(u), ds.Test.CountOf(u)).Should().Be(DatasetSplitter.Sizes(n), "the splitter's sizes");
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_data_set_bit_for_bit()
    {
        var options = new SyntheticDataOptions { Users = 200, Items = 150, Interactions = 3_000, Seed = 9 };
        var a = SyntheticDataGenerator.Generate(options);
        var b = SyntheticDataGenerator.Generate(options);
        var c = SyntheticDataGenerator.Generate(options with { Seed = 10 });

        foreach (var split in new[] { DataSplit.Train, DataSplit.Validation, DataSplit.Test })
        {
            b.GetSplit(split).RowOffsets.ToArray().Should().Equal(a.GetSplit(split).RowOffsets.ToArray());
            b.GetSplit(split).ItemIndices.ToArray().Should().Equal(a.GetSplit(split).ItemIndices.ToArray());
        }

        for (int m = 0; m < 2; m++)
        {
            b.Modalities[m].Values.ToArray().Should().Equal(a.Modalities[m].Values.ToArray());
        }

        c.Train.ItemIndices.ToArray().Should().NotEqual(a.Train.ItemIndices.ToArray());
        c.Modalities[0].Values.ToArray().Should().NotEqual(a.Modalities[0].Values.ToArray());
        SyntheticDataGenerator.ItemClusters(options).Should().Equal(SyntheticDataGenerator.ItemClusters(options));
    }

    [Fact]
    public void Popularity_follows_a_power_law()
    {
        var ds = Default.Value;
        var degree = new int[ds.ItemCount];
        foreach (var split in new[] { ds.Train, ds.Validation, ds.Test })
        {
            foreach (int i in split.ItemIndices)
            {
                degree[i]++;
            }
        }

        var sorted = degree.OrderDescending().ToArray();
        double topShare = (double)sorted.Take(ds.ItemCount / 10).Sum() / sorted.Sum();

        // Uniform popularity would give the top 10% about 10% of the interactions and a flat log-log curve.
        topShare.Should().BeGreaterThan(0.35);
        double slope = LogLogSlope(sorted.Take(ds.ItemCount / 2).ToArray());
        slope.Should().BeInRange(-1.2, -0.4);
    }

    [Fact]
    public void The_image_modality_carries_the_cluster_signal_and_text_only_a_little()
    {
        var ds = Default.Value;
        var clusters = SyntheticDataGenerator.ItemClusters();
        clusters.Should().HaveCount(ds.ItemCount).And.OnlyContain(c => c >= 0 && c < 20);

        var (imageSame, imageOther) = MeanCosines(ds.GetModality("image"), clusters);
        var (textSame, textOther) = MeanCosines(ds.GetModality("text"), clusters);

        // Measured with the defaults: image 0.73 vs 0.01, text 0.10 vs 0.00.
        (imageSame - imageOther).Should().BeGreaterThan(0.5);
        (textSame - textOther).Should().BeGreaterThan(0.02, "text is weak but not pure noise");
        (imageSame - imageOther).Should().BeGreaterThan(3 * (textSame - textOther));
    }

    [Fact]
    public void Invalid_options_are_all_reported()
    {
        var act = () => SyntheticDataGenerator.Generate(new SyntheticDataOptions { Users = 0, Items = 5, NoiseShare = 2, TextDimension = 0 });

        act.Should().Throw<ArgumentException>()
            .WithMessage("*Users must be ≥ 1*")
            .WithMessage("*Items must be ≥ 10*")
            .WithMessage("*NoiseShare must be in [0, 1]*")
            .WithMessage("*TextDimension must be ≥ 1*")
            .Which.ParamName.Should().Be("options");
    }

    private static (double Same, double Other) MeanCosines(ItemModality m, int[] clusters)
    {
        var unit = new double[m.ItemCount][];
        for (int i = 0; i < m.ItemCount; i++)
        {
            var row = m.Row(i).ToArray().Select(v => (double)v).ToArray();
            double norm = Math.Sqrt(row.Sum(v => v * v));
            unit[i] = row.Select(v => v / norm).ToArray();
        }

        double same = 0, other = 0;
        long nSame = 0, nOther = 0;
        for (int i = 0; i < m.ItemCount; i++)
        {
            for (int j = i + 1; j < m.ItemCount; j++)
            {
                double cos = 0;
                for (int k = 0; k < m.Dimension; k++)
                {
                    cos += unit[i][k] * unit[j][k];
                }

                if (clusters[i] == clusters[j])
                {
                    same += cos;
                    nSame++;
                }
                else
                {
                    other += cos;
                    nOther++;
                }
            }
        }

        return (same / nSame, other / nOther);
    }

    private static double LogLogSlope(int[] sortedDegrees)
    {
        var x = Enumerable.Range(1, sortedDegrees.Length).Select(r => Math.Log(r)).ToArray();
        var y = sortedDegrees.Select(d => Math.Log(Math.Max(d, 1))).ToArray();
        double mx = x.Average(), my = y.Average();
        return x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my)) / x.Sum(v => (v - mx) * (v - mx));
    }
}

using FsCheck;
using FsCheck.Fluent;

namespace Singer.Recommendation.Fuzz.Tests;

/// <summary>FsCheck generators of valid files and of byte mutations.</summary>
public static class Generators
{
    public static Gen<Mutation> OneMutation { get; } =
        from kind in Gen.Choose(0, Mutation.Kinds - 1)
        from position in Gen.Choose(0, int.MaxValue - 1)
        from value in Gen.Choose(0, 255)
        from length in Gen.Choose(0, 1023)
        select new Mutation(kind, position, (byte)value, length);

    /// <summary>One to four mutations, applied in order.</summary>
    public static Gen<Mutation[]> Mutations { get; } = Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(OneMutation, n));

    /// <summary>A finite float: small integers, fractions, extremes and arbitrary finite bit patterns.</summary>
    public static Gen<float> FiniteFloat { get; } = Gen.OneOf(
        Gen.Choose(-1000, 1000).Select(i => (float)i),
        Gen.Choose(-1_000_000, 1_000_000).Select(i => i / 997f),
        Gen.Elements(0f, -0f, float.MaxValue, float.MinValue, float.Epsilon, -float.Epsilon, 1e-30f, 1e30f),
        Gen.Choose(int.MinValue, int.MaxValue).Select(BitConverter.Int32BitsToSingle).Where(float.IsFinite));

    /// <summary>A matrix of 1–12 rows × 1–12 columns of finite floats.</summary>
    public static Gen<(int Rows, int Columns, float[] Values)> Matrix { get; } =
        from rows in Gen.Choose(1, 12)
        from columns in Gen.Choose(1, 12)
        from values in Gen.ArrayOf(FiniteFloat, rows * columns)
        select (rows, columns, values);

    /// <summary>An interaction: user, item (0–39) and split label (0–2).</summary>
    public static Gen<(int User, int Item, int Label)> InteractionRow { get; } =
        from u in Gen.Choose(0, 39)
        from i in Gen.Choose(0, 39)
        from l in Gen.Choose(0, 2)
        select (u, i, l);

    /// <summary>A valid .inter file's content: distinct pairs, any column order, optional extra column, CRLF and blank lines.</summary>
    public static Gen<InterFile> InterFiles { get; } =
        from n in Gen.Choose(1, 60)
        from rows in Gen.ArrayOf(InteractionRow, n)
        from order in Gen.Shuffle(new[] { "userID", "itemID", "rating", "timestamp", "x_label" })
        from extra in Gen.Elements(false, true)
        from crlf in Gen.Elements(false, true)
        from blankEvery in Gen.Choose(0, 7)
        select InterFile.Create(rows, [.. order], extra, crlf, blankEvery);
}

/// <summary>A generated .inter file and the interactions it must load as.</summary>
public sealed record InterFile(string Text, IReadOnlyList<(int User, int Item, int Label)> Rows)
{
    public static InterFile Create((int User, int Item, int Label)[] rows, string[] columns, bool extraColumn, bool crlf, int blankEvery)
    {
        var distinct = rows.DistinctBy(r => (r.User, r.Item)).ToArray();
        string nl = crlf ? "\r\n" : "\n";
        var header = extraColumn ? [.. columns, "note"] : columns;
        var text = new System.Text.StringBuilder(string.Join('\t', header)).Append(nl);
        for (int r = 0; r < distinct.Length; r++)
        {
            if (blankEvery > 0 && r % blankEvery == 0)
            {
                text.Append(nl);
            }

            var (u, i, l) = distinct[r];
            text.Append(string.Join('\t', header.Select(c => c switch
            {
                "userID" => u.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "itemID" => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "x_label" => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "rating" => "4",
                "timestamp" => "881250949",
                _ => "free text",
            }))).Append(nl);
        }

        return new InterFile(text.ToString(), distinct);
    }
}

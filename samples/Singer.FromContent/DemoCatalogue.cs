using System.Globalization;
using System.Text;
using SkiaSharp;

/// <summary>
/// A small made-up catalogue with real content signal: four themes, each with its own vocabulary, image colour and shape,
/// and users who mostly stay within one favourite theme. Written as the CSV files and PNG images a shop would have.
/// </summary>
internal static class DemoCatalogue
{
    public sealed record Theme(string Name, string[] Adjectives, string[] Nouns, string Description, SKColor Colour, int Shape);

    public static readonly Theme[] Themes =
    [
        new("Space", ["Distant", "Silent", "Lost", "Final", "Dark"], ["Nebula", "Starship", "Orbit", "Galaxy", "Comet", "Moon Base"],
            "A science-fiction adventure of astronauts, rockets and alien worlds far beyond the stars.", new SKColor(20, 24, 82), 0),
        new("Cooking", ["Simple", "Italian", "Family", "Quick", "Rustic"], ["Kitchen", "Recipes", "Bakery", "Pasta", "Spices", "Soups"],
            "A cookbook for home chefs: baking bread, simmering sauces and seasoning vegetables for dinner.", new SKColor(235, 130, 30), 1),
        new("Garden", ["Green", "Wild", "Cottage", "Secret", "Spring"], ["Roses", "Orchard", "Seeds", "Greenhouse", "Meadow", "Herbs"],
            "A gardening guide to planting flowers, pruning fruit trees and growing vegetables in healthy soil.", new SKColor(40, 150, 60), 2),
        new("Jazz", ["Blue", "Midnight", "Smoky", "Cool", "Late"], ["Saxophone", "Notes", "Swing", "Trumpet", "Ballads", "Nightclub"],
            "A jazz album of improvised saxophone solos, piano trios and late-night swing standards.", new SKColor(110, 40, 130), 3),
    ];

    /// <summary>Writes items.csv (id, title, description, image), interactions.csv (user, item) and images/; returns each
    /// user's favourite theme.</summary>
    public static Dictionary<string, int> Write(string folder, int users = 300, int seed = 7)
    {
        var random = new Random(seed);
        Directory.CreateDirectory(Path.Combine(folder, "images"));
        var items = new StringBuilder("id,title,description,image\n");
        var itemsOfTheme = new List<string>[Themes.Length];
        for (int t = 0; t < Themes.Length; t++)
        {
            itemsOfTheme[t] = [];
            var theme = Themes[t];
            int n = 0;
            foreach (string adjective in theme.Adjectives)
            {
                foreach (string noun in theme.Nouns)
                {
                    string id = $"{theme.Name.ToLowerInvariant()}-{n++:D2}";
                    string image = $"images/{id}.png";
                    // Two items come without a picture and one with a broken file: they get the mean image vector.
                    if (id is "space-03" or "jazz-11")
                    {
                        image = "";
                    }
                    else if (id == "garden-07")
                    {
                        File.WriteAllText(Path.Combine(folder, image), "not a PNG");
                    }
                    else
                    {
                        DrawImage(Path.Combine(folder, image), theme, random);
                    }

                    items.Append(CultureInfo.InvariantCulture, $"{id},{Quote($"{adjective} {noun}")},{Quote(theme.Description)},{image}\n");
                    itemsOfTheme[t].Add(id);
                }
            }
        }

        File.WriteAllText(Path.Combine(folder, "items.csv"), items.ToString());
        var favourite = new Dictionary<string, int>();
        var interactions = new StringBuilder("user,item\n");
        for (int u = 0; u < users; u++)
        {
            string user = $"u{u:D3}";
            int theme = random.Next(Themes.Length);
            favourite[user] = theme;
            var chosen = new HashSet<string>();
            int count = random.Next(12, 21);
            while (chosen.Count < count)
            {
                // 85% of a user's items come from the favourite theme, and within it the first items are the popular ones.
                int t = random.NextDouble() < 0.85 ? theme : random.Next(Themes.Length);
                var pool = itemsOfTheme[t];
                chosen.Add(pool[(int)(pool.Count * Math.Pow(random.NextDouble(), 1.5))]);
            }

            foreach (string item in chosen)
            {
                interactions.Append(CultureInfo.InvariantCulture, $"{user},{item}\n");
            }
        }

        File.WriteAllText(Path.Combine(folder, "interactions.csv"), interactions.ToString());
        return favourite;
    }

    private static string Quote(string field) => field.Contains(',') || field.Contains('"') ? $"\"{field.Replace("\"", "\"\"")}\"" : field;

    private static void DrawImage(string path, Theme theme, Random random)
    {
        using var bitmap = new SKBitmap(96, 96);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(theme.Colour);
            using var paint = new SKPaint { Color = SKColors.White.WithAlpha((byte)random.Next(180, 256)), IsAntialias = true };
            float x = random.Next(30, 66), y = random.Next(30, 66), r = random.Next(14, 24);
            switch (theme.Shape)
            {
                case 0: canvas.DrawCircle(x, y, r, paint); break;
                case 1: canvas.DrawRect(x - r, y - r, 2 * r, 2 * r, paint); break;
                case 2:
                    canvas.Save();
                    canvas.RotateDegrees(45, x, y);   // a diamond
                    canvas.DrawRect(x - r, y - r, 2 * r, 2 * r, paint);
                    canvas.Restore();
                    break;
                default:
                    paint.StrokeWidth = 6;
                    paint.Style = SKPaintStyle.Stroke;
                    canvas.DrawLine(x - r, y - r, x + r, y + r, paint);
                    canvas.DrawLine(x - r, y + r, x + r, y - r, paint);
                    break;
            }
        }

        using var file = File.Create(path);
        bitmap.Encode(file, SKEncodedImageFormat.Png, 100);
    }
}

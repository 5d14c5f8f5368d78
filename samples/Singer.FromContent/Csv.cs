using System.Text;

/// <summary>A minimal RFC 4180 reader: comma-separated, double-quoted fields may hold commas and doubled quotes.</summary>
internal static class Csv
{
    public static List<Dictionary<string, string>> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0)
        {
            throw new FormatException($"{path} is empty; it needs a header line.");
        }

        var header = Split(lines[0], path, 1);
        var rows = new List<Dictionary<string, string>>();
        for (int n = 1; n < lines.Length; n++)
        {
            if (lines[n].Length == 0)
            {
                continue;
            }

            var fields = Split(lines[n], path, n + 1);
            if (fields.Count != header.Count)
            {
                throw new FormatException($"Line {n + 1} of {path}: {fields.Count} fields, but the header has {header.Count}.");
            }

            rows.Add(header.Zip(fields).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));
        }

        return rows;
    }

    private static List<string> Split(string line, string path, int number)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw new FormatException($"Line {number} of {path}: a quoted field is not closed.");
        }

        fields.Add(field.ToString());
        return fields;
    }
}

using System.Text;

namespace Singer.Recommendation;

/// <summary>Reads a delimited text file line by line, splitting fields (double-quoted fields with "" escapes allowed).</summary>
internal sealed class DelimitedLineReader : IDisposable
{
    /// <summary>Longest line accepted; a longer one is a sign of a binary or wrong file.</summary>
    internal const int MaxLineLength = 1 << 20;

    private readonly StreamReader _reader;
    private readonly char _separator;
    private readonly List<string> _fields = [];
    private readonly StringBuilder _field = new();

    public DelimitedLineReader(string path, char separator)
    {
        Path = path;
        _separator = separator;
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Interaction file not found: {path}", path, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException(
                Directory.Exists(path) ? $"Interaction file {path} is a folder, not a file." : $"Interaction file {path} cannot be read: {e.Message}", e);
        }

        _reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true);
    }

    public string Path { get; }

    /// <summary>The 1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Reads the next non-empty line into <paramref name="fields"/>; false at the end of the file.</summary>
    public bool TryRead(out IReadOnlyList<string> fields)
    {
        while (true)
        {
            string? line = ReadLineBounded();
            if (line is null)
            {
                fields = [];
                return false;
            }

            LineNumber++;
            if (line.Length == 0 || (line.Length == 1 && line[0] == '\r') || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            Split(line.TrimEnd('\r'));
            fields = _fields;
            return true;
        }
    }

    private string? ReadLineBounded()
    {
        var sb = new StringBuilder();
        while (true)
        {
            int c = _reader.Read();
            if (c == -1)
            {
                return sb.Length == 0 ? null : sb.ToString();
            }

            if (c == '\n')
            {
                return sb.ToString();
            }

            if (c == '\0')
            {
                throw new DataFormatException(Path, LineNumber + 1, "the line contains a NUL byte; this is a binary file, not delimited text.");
            }

            if (sb.Length >= MaxLineLength)
            {
                throw new DataFormatException(Path, LineNumber + 1, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the line is longer than {MaxLineLength:N0} characters; this is not an interaction file."));
            }

            sb.Append((char)c);
        }
    }

    private void Split(string line)
    {
        _fields.Clear();
        _field.Clear();
        bool quoted = false, wasQuoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < line.Length && line[i + 1] == '"')
                    {
                        _field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    _field.Append(c);
                }
            }
            else if (c == '"' && _field.Length == 0 && !wasQuoted)
            {
                quoted = wasQuoted = true;
            }
            else if (c == _separator)
            {
                _fields.Add(wasQuoted ? _field.ToString() : _field.ToString().Trim());
                _field.Clear();
                wasQuoted = false;
            }
            else
            {
                _field.Append(c);
            }
        }

        if (quoted)
        {
            throw new DataFormatException(Path, LineNumber, "a quoted field is not closed on this line.");
        }

        _fields.Add(wasQuoted ? _field.ToString() : _field.ToString().Trim());
    }

    public void Dispose() => _reader.Dispose();
}

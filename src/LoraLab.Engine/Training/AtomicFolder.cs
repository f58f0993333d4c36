namespace LoraLab.Engine.Training;

/// <summary>
/// Writes a folder under a temporary name beside its target and renames it into place, so a crash mid-write never
/// leaves a half-written checkpoint under the real name: a reader sees the old folder, or none, or the new one.
/// </summary>
static class AtomicFolder
{
    public static void Write(string target, Action<string> write)
    {
        string full = Path.GetFullPath(target);
        string parent = Path.GetDirectoryName(full)!;
        string name = Path.GetFileName(full);
        Directory.CreateDirectory(parent);
        string temporary = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temporary);
        try
        {
            write(temporary);
            if (Directory.Exists(full))
            {
                string old = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.old");
                Directory.Move(full, old);
                Directory.Move(temporary, full);
                Directory.Delete(old, recursive: true);
            }
            else Directory.Move(temporary, full);
        }
        catch
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
            throw;
        }
    }
}

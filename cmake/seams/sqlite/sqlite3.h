// Stands first on the include path of every roster library but the one that
// owns <sqlite3.h>, so that including it anywhere else fails the build
// (docs/architecture.md, "Seams the build enforces").
#error "<sqlite3.h> belongs to src/store/sqlite/ alone; ask that library for what you need"

// Stands first on the include path of every roster library but the one that
// owns <libpq-fe.h>, so that including it anywhere else fails the build
// (docs/architecture.md, "Seams the build enforces").
#error "<libpq-fe.h> belongs to src/store/postgres/ alone; ask that library for what you need"

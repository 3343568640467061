struct holes {
	char a;
	long: 64;
	long b;
	long: 64;
};

struct packed {
	char c;
	int i;
} __attribute__((packed));

struct tailbits {
	int a: 3;
	short: 13;
	int b: 2;
	long: 0;
};

enum small {
	S_A = 1,
} __attribute__((mode(byte)));

enum wide {
	W_A = 1,
} __attribute__((mode(word)));

enum wide64 {
	W64_A = 1ULL,
} __attribute__((mode(word)));

enum {
	TOP_CONST = 7,
};

enum dup {
	RED = 1,
};

enum dup2 {
	RED___2 = 2,
};

struct name {
	int x;
};

struct name___2 {
	int y;
};

typedef struct {
	int v;
} anon_t;

typedef unsigned char __Poly8_t;

struct decls {
	int m[2][3];
	int (*pa)[4];
	char * (*fp)(int n);
	char * (* (*fpfp)(int))(int n);
	__Poly8_t p8;
};

typedef __builtin_va_list __gnuc_va_list;

struct empty {};

struct A {
	int x;
};

struct B {
	struct A *a;
};


// The owner of the test executables' precompiled header (tests/CMakeLists.txt): built only
// for it, never run.
int main() { return 0; }

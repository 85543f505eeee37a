/* Replays fuzz corpora through a libFuzzer target without libFuzzer: each
 * argument is a file or a folder of files, fed one by one to
 * LLVMFuzzerTestOneInput. Built with ASan+UBSan by `make test`. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;
	int rc = -1;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		goto out;
	}
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		goto out;
	}
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	int i, count = 0;
	struct stat st;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *de;
			char path[4096];

			while (d != NULL && (de = readdir(d)) != NULL) {
				if (de->d_name[0] == '.') {
					continue;
				}
				snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
				if (run_file(path) != 0) {
					closedir(d);
					return 1;
				}
				count++;
			}
			if (d != NULL) {
				closedir(d);
			}
		} else {
			if (run_file(argv[i]) != 0) {
				return 1;
			}
			count++;
		}
	}
	printf("replayed %d inputs\n", count);
	return count > 0 ? 0 : 1;
}

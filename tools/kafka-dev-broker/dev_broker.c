/*
 * kafka-dev-broker: a Kafka-protocol broker for development and tests.
 *
 * It hosts librdkafka's in-memory mock cluster in its own process so that the API, the Workers
 * host, the tests and independent clients (kcat, kafkajs) all reach it over TCP, exactly as they
 * would a real cluster. It is not a production broker (see docs/adr/0003).
 *
 * Usage: kafka-dev-broker [--brokers N] [--bootstrap-file PATH] [--control-file PATH]
 *                         [--topic NAME:PARTITIONS]...
 *
 * The bootstrap servers (random ports) are printed on stdout and written to --bootstrap-file.
 * A line-based control port on 127.0.0.1 (its port written to --control-file) takes fault
 * injection commands for reliability tests:
 *   down | up            all brokers refuse / accept connections
 *   rtt MS               add MS milliseconds of round-trip time on every broker
 *   topic NAME PARTS     create a topic (CreateTopics is not supported by the mock)
 *   errors API COUNT CODE the next COUNT requests of Kafka API key API (0 Produce, 1 Fetch, ...)
 *                        fail with error CODE (rd_kafka_mock_push_request_errors)
 *   ping                 liveness
 * Each command is answered with "ok" or "error <reason>". SIGTERM/SIGINT stop the broker.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_TOPICS 64

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
        (void)sig;
        stop_requested = 1;
}

static int write_file(const char *path, const char *content) {
        char tmp[4096];
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        FILE *f = fopen(tmp, "w");
        if (!f)
                return -1;
        fprintf(f, "%s\n", content);
        fclose(f);
        /* Atomic rename: readers polling for the file never see it half written. */
        return rename(tmp, path);
}

static int create_topic(rd_kafka_mock_cluster_t *mc, const char *name, int partitions) {
        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name, partitions, 3);
        if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                fprintf(stderr, "kafka-dev-broker: topic %s: %s\n", name, rd_kafka_err2str(err));
                return -1;
        }
        return 0;
}

static void handle_command(rd_kafka_mock_cluster_t *mc, char *line, char *reply, size_t reply_len) {
        char name[256];
        int n = 0, api = 0, code = 0;
        line[strcspn(line, "\r\n")] = '\0';
        if (strcmp(line, "ping") == 0) {
                snprintf(reply, reply_len, "ok\n");
        } else if (strcmp(line, "down") == 0) {
                rd_kafka_mock_broker_set_down(mc, -1);
                snprintf(reply, reply_len, "ok\n");
        } else if (strcmp(line, "up") == 0) {
                rd_kafka_mock_broker_set_up(mc, -1);
                snprintf(reply, reply_len, "ok\n");
        } else if (sscanf(line, "rtt %d", &n) == 1 && n >= 0) {
                rd_kafka_mock_broker_set_rtt(mc, -1, n);
                snprintf(reply, reply_len, "ok\n");
        } else if (sscanf(line, "errors %d %d %d", &api, &n, &code) == 3 && api >= 0 && n > 0 && n <= 100000) {
                rd_kafka_resp_err_t *errors = malloc(sizeof(*errors) * (size_t)n);
                for (int i = 0; i < n; i++) errors[i] = (rd_kafka_resp_err_t)code;
                rd_kafka_mock_push_request_errors_array(mc, (int16_t)api, (size_t)n, errors);
                free(errors);
                snprintf(reply, reply_len, "ok\n");
        } else if (sscanf(line, "topic %255s %d", name, &n) == 2 && n > 0) {
                snprintf(reply, reply_len, create_topic(mc, name, n) == 0 ? "ok\n" : "error topic\n");
        } else {
                snprintf(reply, reply_len, "error unknown command\n");
        }
}

int main(int argc, char **argv) {
        int brokers = 3;
        const char *bootstrap_file = NULL, *control_file = NULL;
        char *topics[MAX_TOPICS];
        int topic_cnt = 0;
        char errstr[512];

        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--brokers") && i + 1 < argc)
                        brokers = atoi(argv[++i]);
                else if (!strcmp(argv[i], "--bootstrap-file") && i + 1 < argc)
                        bootstrap_file = argv[++i];
                else if (!strcmp(argv[i], "--control-file") && i + 1 < argc)
                        control_file = argv[++i];
                else if (!strcmp(argv[i], "--topic") && i + 1 < argc && topic_cnt < MAX_TOPICS)
                        topics[topic_cnt++] = argv[++i];
                else {
                        fprintf(stderr, "usage: %s [--brokers N] [--bootstrap-file PATH] "
                                        "[--control-file PATH] [--topic NAME:PARTITIONS]...\n", argv[0]);
                        return 2;
                }
        }

        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        /* No bootstrap servers: this handle only owns the mock cluster. */
        rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "kafka-dev-broker: %s\n", errstr);
                return 1;
        }
        rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
        if (!mc) {
                fprintf(stderr, "kafka-dev-broker: could not create the mock cluster\n");
                return 1;
        }
        /* Without a controller, admin requests wait ~10 s for one. */
        rd_kafka_mock_set_controller_id(mc, 1);
        rd_kafka_mock_group_initial_rebalance_delay_ms(mc, 500);

        for (int i = 0; i < topic_cnt; i++) {
                char spec[300];
                snprintf(spec, sizeof(spec), "%s", topics[i]);
                char *colon = strrchr(spec, ':');
                int parts = 12;
                if (colon) {
                        *colon = '\0';
                        parts = atoi(colon + 1);
                }
                if (create_topic(mc, spec, parts > 0 ? parts : 12) != 0)
                        return 1;
        }

        int ctl = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(ctl, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        struct sockaddr_in addr = {0};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        socklen_t alen = sizeof(addr);
        if (bind(ctl, (struct sockaddr *)&addr, sizeof(addr)) || listen(ctl, 8) ||
            getsockname(ctl, (struct sockaddr *)&addr, &alen)) {
                perror("kafka-dev-broker: control socket");
                return 1;
        }
        char control_port[16];
        snprintf(control_port, sizeof(control_port), "%d", ntohs(addr.sin_port));

        const char *bootstraps = rd_kafka_mock_cluster_bootstraps(mc);
        if (control_file && write_file(control_file, control_port)) {
                perror("kafka-dev-broker: control file");
                return 1;
        }
        /* The bootstrap file is written last: its presence means the broker is ready. */
        if (bootstrap_file && write_file(bootstrap_file, bootstraps)) {
                perror("kafka-dev-broker: bootstrap file");
                return 1;
        }
        printf("%s\n", bootstraps);
        fflush(stdout);

        struct sigaction sa = {0};
        sa.sa_handler = on_signal;
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);

        while (!stop_requested) {
                fd_set rfds;
                FD_ZERO(&rfds);
                FD_SET(ctl, &rfds);
                struct timeval tv = {0, 200 * 1000};
                int r = select(ctl + 1, &rfds, NULL, NULL, &tv);
                if (r <= 0)
                        continue;
                int c = accept(ctl, NULL, NULL);
                if (c < 0)
                        continue;
                struct timeval rcv = {2, 0};
                setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof(rcv));
                char buf[512];
                ssize_t len = recv(c, buf, sizeof(buf) - 1, 0);
                if (len > 0) {
                        char reply[64];
                        buf[len] = '\0';
                        handle_command(mc, buf, reply, sizeof(reply));
                        ssize_t sent = send(c, reply, strlen(reply), 0);
                        (void)sent;
                }
                close(c);
        }

        close(ctl);
        rd_kafka_mock_cluster_destroy(mc);
        rd_kafka_destroy(rk);
        return 0;
}

package io.cdpkit.activation.channels;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal SMTP server on 127.0.0.1 that answers from a script, for the failures a real test
 * server will not produce: a chosen reply to RCPT TO or to the end of DATA, or a greeting that
 * never comes. Its replies quote the recipient, as real servers do. Serves one connection at a
 * time. Thread-safe.
 */
final class ScriptedSmtpServer implements AutoCloseable {
  private final ServerSocket socket;
  private final Thread thread;
  private volatile String greeting = "220 scripted ESMTP";
  private volatile String rcptReply = "250 OK";
  private volatile String dataReply = "250 OK queued";
  private volatile boolean silent;

  ScriptedSmtpServer() {
    try {
      socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    thread = new Thread(this::serve, "scripted-smtp");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  ScriptedSmtpServer greeting(String reply) {
    this.greeting = reply;
    return this;
  }

  ScriptedSmtpServer rcpt(String reply) {
    this.rcptReply = reply;
    return this;
  }

  ScriptedSmtpServer data(String reply) {
    this.dataReply = reply;
    return this;
  }

  /** Accepts connections and never says a word. */
  ScriptedSmtpServer silent() {
    this.silent = true;
    return this;
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket s = socket.accept()) {
        s.setSoTimeout(10_000);
        if (silent) {
          s.getInputStream().read();
          continue;
        }
        BufferedReader in = new BufferedReader(
            new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        OutputStream out = s.getOutputStream();
        send(out, greeting);
        if (!greeting.startsWith("2")) {
          continue;
        }
        String line;
        boolean inData = false;
        while ((line = in.readLine()) != null) {
          if (inData) {
            if (line.equals(".")) {
              inData = false;
              send(out, dataReply);
            }
            continue;
          }
          String cmd = line.toUpperCase(Locale.ROOT);
          if (cmd.startsWith("EHLO")) {
            send(out, "250-scripted\r\n250 8BITMIME");
          } else if (cmd.startsWith("HELO") || cmd.startsWith("MAIL") || cmd.startsWith("RSET")
              || cmd.startsWith("NOOP")) {
            send(out, "250 OK");
          } else if (cmd.startsWith("RCPT")) {
            String addr = line.substring(line.indexOf(':') + 1).strip();
            send(out, rcptReply.replace("{rcpt}", addr));
          } else if (cmd.startsWith("DATA")) {
            send(out, "354 go ahead");
            inData = true;
          } else if (cmd.startsWith("QUIT")) {
            send(out, "221 bye");
            break;
          } else {
            send(out, "502 not implemented");
          }
        }
      } catch (IOException e) {
        // The client went away, or the server is closing: wait for the next one.
      }
    }
  }

  private static void send(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
